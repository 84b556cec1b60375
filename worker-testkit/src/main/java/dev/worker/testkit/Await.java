package dev.worker.testkit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits on a condition by polling it, never for a fixed time. */
public final class Await {
    /** How often a condition is checked unless the caller says otherwise. */
    public static final Duration POLL = Duration.ofMillis(5);

    private Await() {
    }

    /** Whether {@code condition} held within {@code timeout}, checked every {@link #POLL}. */
    public static boolean poll(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        return poll(condition, timeout, POLL);
    }

    /** Whether {@code condition} held within {@code timeout}, checked every {@code interval}. */
    public static boolean poll(BooleanSupplier condition, Duration timeout, Duration interval)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(interval);
        }
        return true;
    }

    /**
     * Returns once {@code condition} holds.
     *
     * @throws AssertionError naming {@code what} when it did not hold within {@code timeout}
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        if (!poll(condition, timeout)) {
            throw new AssertionError("timed out after " + timeout + " waiting until " + what);
        }
    }

    /**
     * Returns once {@code latch} is open. Usable where an {@link InterruptedException} cannot go (a callback run by
     * the code under test): an interrupt restores the thread's flag and fails the wait.
     *
     * @throws AssertionError naming {@code what} when it did not open within {@code timeout}, or was interrupted
     */
    public static void open(String what, CountDownLatch latch, Duration timeout) {
        try {
            if (!latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting until " + what, e);
        }
    }
}
