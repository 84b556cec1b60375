package dev.worker.bench;

import dev.worker.core.ManagerConfig;
import dev.worker.core.WorkerDataManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Opens a data directory once and prints, as one JSON line, how long {@link WorkerDataManager#open} took and how
 * long since the JVM started. Run it in a fresh JVM per measurement: a cold start is what operators see. Logging is
 * set up before the clock starts, as it is in any process that embeds the library (and in the daemon, whose figure
 * the startup script measures from process start).
 *
 * <p>Usage: {@code StartupProbe DIR}
 */
public final class StartupProbe {
    private StartupProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(run(Path.of(args[0])));
    }

    /** Opens {@code dir} once and returns the JSON line. */
    public static String run(Path dir) throws IOException {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        LoggerFactory.getLogger(StartupProbe.class).debug("opening {}", dir);
        long started = System.nanoTime();
        try (WorkerDataManager manager = WorkerDataManager.open(ManagerConfig.builder(dir).minFreeBytes(0).build())) {
            long openNanos = System.nanoTime() - started;
            return String.format(Locale.ROOT, "{\"chunks\": %d, \"open_ms\": %.1f, \"since_jvm_start_ms\": %d,"
                    + " \"scan_ms\": %d}", manager.list().size(), openNanos / 1e6,
                    System.currentTimeMillis() - jvmStart, manager.stats().startup().toMillis());
        }
    }
}
