package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How waiting for the daemon to reach the desired set ended.
 *
 * @param converged whether the ready set equalled the desired set with nothing else known
 * @param took      from the end of the operations to convergence (or to giving up)
 * @param listing   the last listing read
 * @param problems  why it did not converge (empty when it did)
 */
record Convergence(boolean converged, Duration took, Optional<ChunkListing> listing, List<String> problems) {
    Convergence {
        requireNonNull(took, "took");
        requireNonNull(listing, "listing");
        problems = List.copyOf(problems);
        if (converged && (!problems.isEmpty() || listing.isEmpty())) {
            throw new IllegalArgumentException("a convergence has a listing and no problems");
        }
    }
}
