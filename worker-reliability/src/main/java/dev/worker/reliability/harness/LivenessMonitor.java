package dev.worker.reliability.harness;

import static java.util.Objects.requireNonNull;

import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.Latencies;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Asks {@code /health/live} again and again while a suite runs and records how long the answers take; a missing
 * answer or one slower than {@code limit} is a violation. Transport errors are ignored while {@code expectDown}
 * says the daemon is meant to be down.
 */
public final class LivenessMonitor implements AutoCloseable {
    private final Supplier<AdminHttp> client;
    private final Violations violations;
    private final Duration interval;
    private final Duration limit;
    private final Latencies latencies = new Latencies();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean paused;

    public LivenessMonitor(Supplier<AdminHttp> client, Violations violations, Duration interval, Duration limit) {
        this.client = requireNonNull(client, "client");
        this.violations = requireNonNull(violations, "violations");
        this.interval = requireNonNull(interval, "interval");
        this.limit = requireNonNull(limit, "limit");
        this.thread = Thread.ofPlatform().daemon().name("liveness-monitor").start(this::run);
    }

    private void run() {
        while (!stopped) {
            AdminHttp api = client.get();
            if (api != null && !paused) {
                AdminHttp.Reply r = api.get("/health/live");
                if (!paused && !stopped) {
                    if (r.status() != 200) {
                        violations.add("daemon_unresponsive", "/health/live answered " + r);
                    } else {
                        latencies.record(r.nanos());
                        if (r.nanos() > limit.toNanos()) {
                            violations.add("daemon_slow", "/health/live took " + r.millis() + " ms");
                        }
                    }
                }
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops judging (the daemon is being killed or restarted on purpose). */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    public Latencies latencies() {
        return latencies;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
