package dev.worker.daemon.cli;

/** A client command failed; the message is printed as {@code error: <message>} and the exit code is 1. */
public final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
