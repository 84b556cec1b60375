package dev.worker.mock;

import java.util.SplittableRandom;

/**
 * The faults drawn for one file request.
 *
 * @param error       answer 503
 * @param body        how the body ends
 * @param cutFraction where a body fault cuts the body, as a fraction of its length in {@code [0, 1)}
 */
record FaultPlan(boolean error, BodyEnd body, double cutFraction) {
    /** How a response body ends. */
    enum BodyEnd { COMPLETE, RESET, TRUNCATE, STALL }

    FaultPlan {
        if (!(cutFraction >= 0 && cutFraction < 1)) {
            throw new IllegalArgumentException("cut fraction must be in [0, 1), got " + cutFraction);
        }
    }

    /**
     * Draws every fault from {@code random}, always in the same order and the same number of draws, so turning one
     * fault's rate up or down leaves the other faults' decisions for the same request unchanged.
     */
    static FaultPlan draw(FaultConfig config, SplittableRandom random) {
        boolean error = random.nextDouble() < config.errorRate();
        boolean reset = random.nextDouble() < config.resetRate();
        boolean truncate = random.nextDouble() < config.truncateRate();
        boolean stall = random.nextDouble() < config.stallRate();
        double cut = random.nextDouble();
        BodyEnd body = reset ? BodyEnd.RESET : truncate ? BodyEnd.TRUNCATE : stall ? BodyEnd.STALL : BodyEnd.COMPLETE;
        return new FaultPlan(error, body, cut);
    }

    /** The number of bytes of a {@code length}-byte body sent before a body fault strikes: {@code [0, length)}. */
    long cutAt(long length) {
        return Math.min(length - 1, (long) (cutFraction * length));
    }
}
