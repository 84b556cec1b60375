package dev.worker.core.download;

import java.io.IOException;

/** Recognises ENOSPC, which the JDK reports only as an {@link IOException} message. */
final class DiskFull {
    private DiskFull() {
    }

    static boolean is(IOException error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("No space left on device")
                    || message.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
