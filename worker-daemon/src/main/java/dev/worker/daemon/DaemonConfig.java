package dev.worker.daemon;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ManagerConfig;
import dev.worker.daemon.api.ApiLimits;
import java.time.Clock;
import java.util.Optional;

/**
 * How {@code worker serve} runs.
 *
 * @param manager the data manager's settings (data dir, transfers, disk, bandwidth, ...)
 * @param listen  the admin API's address
 * @param token   the bearer token, when auth is on
 * @param limits  the admin API's limits
 * @param clock   the clock for lease expiry
 */
public record DaemonConfig(ManagerConfig manager, ListenAddress listen, Optional<String> token, ApiLimits limits,
        Clock clock) {
    public DaemonConfig {
        requireNonNull(manager, "manager");
        requireNonNull(listen, "listen");
        requireNonNull(token, "token");
        requireNonNull(limits, "limits");
        requireNonNull(clock, "clock");
    }

    public static DaemonConfig of(ManagerConfig manager, ListenAddress listen) {
        return new DaemonConfig(manager, listen, Optional.empty(), ApiLimits.defaults(), Clock.systemUTC());
    }

    public DaemonConfig withToken(String value) {
        return new DaemonConfig(manager, listen, Optional.of(value), limits, clock);
    }

    public DaemonConfig withLimits(ApiLimits value) {
        return new DaemonConfig(manager, listen, token, value, clock);
    }

    public DaemonConfig withClock(Clock value) {
        return new DaemonConfig(manager, listen, token, limits, value);
    }
}
