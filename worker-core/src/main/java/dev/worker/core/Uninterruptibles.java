package dev.worker.core;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for bounded work without giving up on an interrupt. */
public final class Uninterruptibles {
    private Uninterruptibles() {
    }

    /**
     * The result of {@code future}, waiting for it even when interrupted (the interrupt status is set again on
     * return): for work that is bounded and whose result must not be abandoned, such as an open file to close.
     *
     * @throws IOException the work's own IOException, or one wrapping a checked failure of another kind
     */
    public static <T> T get(Future<T> future) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    switch (e.getCause()) {
                        case IOException io -> throw io;
                        case RuntimeException runtime -> throw runtime;
                        case Error error -> throw error;
                        default -> throw new IOException(e.getCause());
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
