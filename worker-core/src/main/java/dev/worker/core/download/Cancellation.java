package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-way cancel signal for one chunk's background work. {@link #cancel()} is idempotent, never blocks and runs
 * each registered action exactly once (at once when registered after cancellation).
 */
public final class Cancellation {
    private static final Logger log = LoggerFactory.getLogger(Cancellation.class);

    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final Set<Registration> registrations = ConcurrentHashMap.newKeySet();

    public Cancellation() {
    }

    public void cancel() {
        if (!cancelled.compareAndSet(false, true)) {
            return;
        }
        for (Registration registration : registrations) {
            registration.fire();
        }
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /**
     * Runs {@code action} on cancellation (on the cancelling thread; it must be quick and must not throw). Closing
     * the returned handle unregisters it.
     */
    public AutoCloseable onCancel(Runnable action) {
        return register(action);
    }

    /** As {@link #onCancel(Runnable)}, with a handle whose {@code close()} throws nothing. */
    Registration register(Runnable action) {
        Registration registration = new Registration(requireNonNull(action, "action"));
        registrations.add(registration);
        // INVARIANT: the registration is added before the flag is read and cancel() sets the flag before it
        // iterates, so at least one of the two fires it; Registration.fire() makes sure only one of them does.
        if (cancelled.get()) {
            registration.fire();
        }
        return registration;
    }

    /** A registered action; fires at most once, never after {@link #close()}. */
    final class Registration implements AutoCloseable {
        private final Runnable action;
        private final AtomicBoolean done = new AtomicBoolean();

        private Registration(Runnable action) {
            this.action = action;
        }

        private void fire() {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            registrations.remove(this);
            try {
                action.run();
            } catch (RuntimeException e) {
                log.error("cancel action failed action={}", action, e);
            }
        }

        @Override
        public void close() {
            done.set(true);
            registrations.remove(this);
        }
    }
}
