package dev.worker.daemon;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.worker.core.ManagerConfig;
import dev.worker.core.WorkerDataManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Whether this build's core can open a data directory. While parts of the core are still stubs, the end-to-end
 * tests that need it are skipped (reported as such) instead of failing the build. Also starts in-process daemons on
 * it for those tests.
 */
final class RealCore {
    private static volatile Boolean available;

    private RealCore() {
    }

    static void assumeAvailable() {
        assumeTrue(available(), "the core's store/download engine is not built yet (WorkerDataManager.open is a stub)");
    }

    /**
     * Starts an in-process daemon on the real core over {@code data}, on a free loopback port, with fast retries
     * (50 ms base, 200 ms cap), and waits until it is ready.
     */
    static Daemon startDaemon(Path data) throws Exception {
        ManagerConfig manager = ManagerConfig.builder(data).minFreeBytes(0)
                .retryBase(Duration.ofMillis(50)).retryCap(Duration.ofMillis(200)).build();
        Daemon daemon = Daemon.start(DaemonConfig.of(manager, ListenAddress.parse("127.0.0.1:0")));
        daemon.ready().get(30, TimeUnit.SECONDS);
        return daemon;
    }

    static boolean available() {
        Boolean known = available;
        if (known == null) {
            known = probe();
            available = known;
        }
        return known;
    }

    private static boolean probe() {
        Path dir;
        try {
            dir = Files.createTempDirectory("worker-core-probe-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (WorkerDataManager manager = WorkerDataManager.open(ManagerConfig.builder(dir).minFreeBytes(0).build())) {
            return manager != null;
        } catch (UnsupportedOperationException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
