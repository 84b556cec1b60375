package dev.worker.daemon;

import dev.worker.core.launch.StopSignals;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of {@code worker serve}: start the daemon, wait for a stop signal or a startup failure, shut down.
 * Returns the process exit code: 0 after a graceful shutdown, 1 when the daemon could not start.
 */
public final class ServeLoop {
    private static final Logger log = LoggerFactory.getLogger(ServeLoop.class);

    private ServeLoop() {
    }

    public static int run(DaemonConfig config, boolean demo, PrintWriter out, PrintWriter err) {
        CompletableFuture<Void> stop = new CompletableFuture<>();
        StopSignals.install(() -> stop.complete(null));
        Demo running = null;
        Daemon daemon;
        try {
            if (demo) {
                running = Demo.start();
            }
            daemon = Daemon.start(config);
        } catch (StartupException e) {
            if (running != null) {
                running.close();
            }
            err.println("error: " + e.getMessage());
            err.flush();
            return 1;
        }
        Demo started = running;
        daemon.ready().whenComplete((manager, failure) -> {
            if (failure != null) {
                stop.completeExceptionally(failure);
            } else if (started != null) {
                started.assign(daemon, manager, out);
            }
        });
        int code = 0;
        try {
            stop.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            err.println("error: " + cause.getMessage());
            err.flush();
            log.debug("startup failed", cause);
            code = 1;
        }
        daemon.close();
        if (started != null) {
            started.close();
        }
        return code;
    }
}
