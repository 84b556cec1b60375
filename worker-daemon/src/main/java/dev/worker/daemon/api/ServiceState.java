package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import dev.worker.core.DataManager;
import dev.worker.daemon.lease.LeaseManager;

/** Where the daemon is in its life, as the admin API sees it. */
public sealed interface ServiceState {
    /** Listening; the manager is still scanning the data directory. */
    record Starting() implements ServiceState {
    }

    /** The manager is open: requests are served. */
    record Running(DataManager manager, LeaseManager leases) implements ServiceState {
        public Running {
            requireNonNull(manager, "manager");
            requireNonNull(leases, "leases");
        }
    }

    /** Shutting down (or the manager failed to open): in-flight requests finish, new ones get 503. */
    record Stopping() implements ServiceState {
    }
}
