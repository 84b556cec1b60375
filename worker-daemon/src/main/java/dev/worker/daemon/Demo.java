package dev.worker.daemon;

import dev.worker.core.DataManager;
import java.io.PrintWriter;

/** {@code worker serve --demo}: an embedded mock storage with a small chunk set, assigned once the daemon is ready. */
final class Demo implements AutoCloseable {
    private Demo() {
    }

    static Demo start() throws StartupException {
        throw new StartupException("--demo needs the mock storage (worker-mock), which this build does not have yet");
    }

    void assign(Daemon daemon, DataManager manager, PrintWriter out) {
    }

    @Override
    public void close() {
    }
}
