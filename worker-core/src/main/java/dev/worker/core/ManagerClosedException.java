package dev.worker.core;

/** A call reached a manager that is shutting down or closed. */
public final class ManagerClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ManagerClosedException(String what) {
        super("the data manager is shut down; cannot " + what);
    }
}
