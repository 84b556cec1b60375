package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;

/**
 * What the admin API serves from: the daemon's state (set by the daemon as it starts and stops), the auth check and
 * the browser rules that apply without it, the limits and the budget of request bodies in memory, the metrics text
 * and an executor for work too slow for an event loop.
 */
public final class AdminContext {
    private final AtomicReference<ServiceState> state = new AtomicReference<>(new ServiceState.Starting());
    private final BearerAuth auth;
    private final BrowserGuard browserGuard;
    private final ApiLimits limits;
    private final BodyBudget bodyBudget;
    private final Supplier<String> metrics;
    private final Executor offload;
    private final RequestObserver observer;
    private final LongUnaryOperator diskBudget;

    /**
     * @param listenHost the {@code --listen} host: without a token, requests may name it in {@code Host}
     * @param observer   told of each answer (latency metrics)
     * @param diskBudget from the bytes used, the bytes the data directory may hold in all (0 when unknown)
     */
    public AdminContext(BearerAuth auth, String listenHost, ApiLimits limits, Supplier<String> metrics,
            Executor offload, RequestObserver observer, LongUnaryOperator diskBudget) {
        this.auth = requireNonNull(auth, "auth");
        this.browserGuard = new BrowserGuard(listenHost);
        this.limits = requireNonNull(limits, "limits");
        this.bodyBudget = new BodyBudget(limits.maxBufferedBodyBytes());
        this.metrics = requireNonNull(metrics, "metrics");
        this.offload = requireNonNull(offload, "offload");
        this.observer = requireNonNull(observer, "observer");
        this.diskBudget = requireNonNull(diskBudget, "diskBudget");
    }

    /** Without latency metrics and with an unknown disk budget (tests of the HTTP layer). */
    public AdminContext(BearerAuth auth, String listenHost, ApiLimits limits, Supplier<String> metrics,
            Executor offload) {
        this(auth, listenHost, limits, metrics, offload, RequestObserver.NONE, used -> 0);
    }

    public ServiceState state() {
        return state.get();
    }

    public void setState(ServiceState next) {
        state.set(requireNonNull(next, "next"));
    }

    public BearerAuth auth() {
        return auth;
    }

    public ApiLimits limits() {
        return limits;
    }

    BrowserGuard browserGuard() {
        return browserGuard;
    }

    BodyBudget bodyBudget() {
        return bodyBudget;
    }

    String scrapeMetrics() {
        return metrics.get();
    }

    Executor offload() {
        return offload;
    }

    RequestObserver observer() {
        return observer;
    }

    long diskBudget(long usedBytes) {
        return diskBudget.applyAsLong(usedBytes);
    }

    /** The running state, or the error a request gets while the daemon is starting or stopping. */
    ServiceState.Running running() {
        return switch (state.get()) {
            case ServiceState.Running r -> r;
            case ServiceState.Starting s -> throw new ApiException(ApiError.NOT_READY,
                    "the daemon is starting: the data directory scan has not finished; try again shortly");
            case ServiceState.Stopping s -> throw new ApiException(ApiError.UNAVAILABLE,
                    "the daemon is shutting down");
        };
    }
}
