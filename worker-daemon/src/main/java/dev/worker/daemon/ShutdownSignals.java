package dev.worker.daemon;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start a graceful shutdown instead of the JVM's default (run shutdown hooks, exit 143/130), so
 * the process can finish its work and exit 0. A second signal during the shutdown stops the process at once.
 */
final class ShutdownSignals {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);

    private ShutdownSignals() {
    }

    static void install(Runnable onFirst) {
        AtomicInteger received = new AtomicInteger();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (received.incrementAndGet() == 1) {
                        log.info("received SIG{}: shutting down gracefully (send it again to stop at once)",
                                signal.getName());
                        // Off the signal thread: the shutdown takes a while.
                        Thread.ofPlatform().name("shutdown").start(onFirst);
                    } else {
                        log.warn("received SIG{} again: stopping now", signal.getName());
                        Runtime.getRuntime().halt(1);
                    }
                });
            } catch (IllegalArgumentException e) {
                log.debug("cannot handle SIG{} on this platform", name, e);
            }
        }
    }
}
