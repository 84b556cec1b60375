package dev.worker.core;

/** A call reached a manager that is shutting down or closed. */
public final class ManagerClosedException extends IllegalStateException {
    public ManagerClosedException(String what) {
        super("the data manager is shut down; cannot " + what);
    }
}
