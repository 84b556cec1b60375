package dev.worker.daemon.lease;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once after a delay: it prompts the lease service to look at a lease again, while the service's
 * {@link java.time.Clock} decides whether the lease is due. Tests pass one they run by hand as they move the clock.
 */
@FunctionalInterface
public interface ExpiryScheduler {
    /**
     * @return cancels the task unless it already ran
     * @throws java.util.concurrent.RejectedExecutionException when the scheduler has stopped
     */
    Future<?> schedule(Duration delay, Runnable task);

    /** Schedules on {@code executor}; its owner shuts it down. */
    static ExpiryScheduler on(ScheduledExecutorService executor) {
        requireNonNull(executor, "executor");
        return (delay, task) -> executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    }
}
