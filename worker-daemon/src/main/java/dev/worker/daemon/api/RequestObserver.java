package dev.worker.daemon.api;

/** Told of each answer to a request that reached a route (for latency metrics); called on an event loop. */
@FunctionalInterface
public interface RequestObserver {
    RequestObserver NONE = (route, status, nanos) -> {
    };

    /** @param nanos from the whole request being in to its answer being handed to the connection */
    void answered(Route route, int status, long nanos);
}
