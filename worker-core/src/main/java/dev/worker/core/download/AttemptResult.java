package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import dev.worker.core.FileDigest;
import java.time.Duration;
import java.util.Optional;

/** How one HTTP attempt for one file ended (cancellation is an {@link InterruptedException} instead). */
sealed interface AttemptResult {
    /** The file is complete and verified; not yet fsync'd. */
    record Done(FileDigest digest) implements AttemptResult {
        public Done {
            requireNonNull(digest, "digest");
        }
    }

    /** A transient error: try again, not before {@code retryAfter} when the server asked for that. */
    record Retry(RetryReason reason, String message, Optional<Duration> retryAfter) implements AttemptResult {
        public Retry {
            requireNonNull(reason, "reason");
            requireNonNull(message, "message");
            requireNonNull(retryAfter, "retryAfter");
        }

        public Retry(RetryReason reason, String message) {
            this(reason, message, Optional.empty());
        }
    }

    /** A permanent error: {@code reason} is a snake_case code, {@code message} says what and why. */
    record Fail(String reason, String message) implements AttemptResult {
        public Fail {
            requireNonNull(reason, "reason");
            requireNonNull(message, "message");
        }
    }
}
