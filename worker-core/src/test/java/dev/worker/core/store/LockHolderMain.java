package dev.worker.core.store;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link DataDirectoryTest}: opens the data directory named by the first argument, prints
 * {@code LOCKED}, and holds the lock until standard input closes or the process is killed.
 */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        try (DataDirectory directory = DataDirectory.open(Path.of(args[0]))) {
            System.out.println("LOCKED " + directory.root());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock
            }
        }
    }
}
