package dev.worker.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The outcome of re-hashing a chunk's files against what was recorded when it was published.
 *
 * @param problem what was wrong (file, expected and actual), when corrupt
 */
public record VerifyResult(ChunkId id, Outcome outcome, Optional<String> problem) {
    /** How a verification ended. */
    public enum Outcome {
        /** Every file has its recorded size and SHA-256. */
        OK,
        /** A file is missing or differs: the chunk was withdrawn (and, while desired, is downloaded anew). */
        CORRUPT,
        /** The chunk was not ready: nothing was checked. */
        NOT_READY
    }

    public VerifyResult {
        requireNonNull(id, "id");
        requireNonNull(outcome, "outcome");
        requireNonNull(problem, "problem");
        if ((outcome == Outcome.CORRUPT) != problem.isPresent()) {
            throw new IllegalArgumentException("a problem goes with CORRUPT and only with it: " + outcome);
        }
    }
}
