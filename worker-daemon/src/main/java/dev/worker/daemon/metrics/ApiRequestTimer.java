package dev.worker.daemon.metrics;

import static java.util.Objects.requireNonNull;

import dev.worker.daemon.api.RequestObserver;
import dev.worker.daemon.api.Route;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code worker_api_request_seconds{route, status}}: the admin API's answer time per route (the route's name, e.g.
 * {@code list_chunks}, so the label set stays small) and status code, as a histogram.
 */
public final class ApiRequestTimer implements RequestObserver {
    private static final Duration[] BUCKETS = {
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Key, Timer> timers = new ConcurrentHashMap<>();

    private record Key(Route route, int status) {
    }

    public ApiRequestTimer(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    @Override
    public void answered(Route route, int status, long nanos) {
        Key key = new Key(route, status);
        Timer timer = timers.get(key);
        if (timer == null) {
            timer = timers.computeIfAbsent(key, k -> Timer.builder("worker.api.request")
                    .description("Time from an admin API request being in to its answer going out")
                    .tag("route", k.route().name().toLowerCase(Locale.ROOT))
                    .tag("status", Integer.toString(k.status()))
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }
}
