package dev.worker.daemon;

import dev.worker.core.ManagerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** In-process daemons on the real core, for the end-to-end tests. */
final class RealCore {
    private RealCore() {
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
}
