package dev.worker.daemon;

/** The daemon cannot start; the message is the one line an operator sees (what failed and why). */
public final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    public StartupException(String message) {
        super(message);
    }
}
