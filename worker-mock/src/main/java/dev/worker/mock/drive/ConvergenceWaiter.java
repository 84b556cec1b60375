package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkId;
import dev.worker.core.client.AdminClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Polls {@code GET /v1/chunks} until the daemon has converged on the model's desired set: every wanted chunk ready,
 * and nothing else known (no queued, downloading, failed or removing chunk, no unwanted ready one). A chunk whose
 * desired state is unknown (an intent that got no answer) may be ready or gone, but not in between. Gives up at the
 * timeout, or at once when a wanted chunk has failed (nothing retries it once the operations are over).
 */
final class ConvergenceWaiter {
    private static final Duration MIN_POLL = Duration.ofMillis(50);
    private static final Duration MAX_POLL = Duration.ofSeconds(1);
    private static final int EXAMPLES = 5;

    private final AdminClient daemon;
    private final DriverModel model;
    private final LongSupplier nanoTime;

    ConvergenceWaiter(AdminClient daemon, DriverModel model, LongSupplier nanoTime) {
        this.daemon = requireNonNull(daemon, "daemon");
        this.model = requireNonNull(model, "model");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    Convergence await(Duration timeout) throws InterruptedException {
        long start = nanoTime.getAsLong();
        long deadline = start + timeout.toNanos();
        Optional<ChunkListing> last = Optional.empty();
        List<String> problems = List.of("the daemon's chunks were never listed");
        while (true) {
            long asked = nanoTime.getAsLong();
            try {
                ChunkListing listing = ChunkListing.read(daemon);
                last = Optional.of(listing);
                problems = differences(listing, model);
                long now = nanoTime.getAsLong();
                if (problems.isEmpty()) {
                    return new Convergence(true, Duration.ofNanos(now - start), last, List.of());
                }
                List<String> failed = failed(listing, model);
                if (!failed.isEmpty()) {
                    return new Convergence(false, Duration.ofNanos(now - start), last, failed);
                }
            } catch (IOException e) {
                problems = List.of("cannot list the daemon's chunks: " + e.getMessage());
            }
            long now = nanoTime.getAsLong();
            if (now - deadline >= 0) {
                List<String> why = new ArrayList<>();
                why.add("not converged within " + timeout);
                why.addAll(problems);
                return new Convergence(false, Duration.ofNanos(now - start), last, why);
            }
            // Poll often for a fine measure, but leave a daemon with a huge listing time to do anything else.
            long pause = Math.clamp(4 * (now - asked), MIN_POLL.toNanos(), MAX_POLL.toNanos());
            Thread.sleep(Duration.ofNanos(Math.min(pause, deadline - now)));
        }
    }

    /** What keeps {@code listing} from being the desired set; empty when it is. */
    static List<String> differences(ChunkListing listing, DriverModel model) {
        Set<ChunkId> wanted = model.chunks(DriverModel.Desired.PRESENT);
        Set<ChunkId> either = model.chunks(DriverModel.Desired.UNKNOWN);
        Examples missing = new Examples();
        Examples unsettled = new Examples();
        Examples unwanted = new Examples();
        for (ChunkId id : wanted) {
            ListedChunk chunk = listing.chunks().get(id);
            if (chunk == null) {
                missing.add(id + " (unknown to the daemon)");
            }
        }
        for (ListedChunk chunk : listing.chunks().values()) {
            if (!chunk.ready()) {
                (wanted.contains(chunk.id()) ? missing : unsettled).add(chunk.id() + " (" + chunk.state() + ")");
            } else if (!wanted.contains(chunk.id()) && !either.contains(chunk.id())) {
                unwanted.add(chunk.id() + " (ready)");
            }
        }
        List<String> problems = new ArrayList<>();
        missing.describe("wanted chunks not ready", problems);
        unsettled.describe("unwanted chunks still known", problems);
        unwanted.describe("unwanted chunks ready", problems);
        return problems;
    }

    /** Wanted chunks in state {@code failed}: they will never become ready without a new download request. */
    static List<String> failed(ChunkListing listing, DriverModel model) {
        List<String> failed = new ArrayList<>();
        for (ListedChunk chunk : listing.chunks().values()) {
            if (chunk.state().equals(ListedChunk.FAILED) && model.desired(chunk.id()) != DriverModel.Desired.ABSENT) {
                failed.add("wanted chunk " + chunk.id() + " failed: " + chunk.lastError().orElse("(no error given)"));
            }
        }
        return failed;
    }

    /** A count with the first few examples. */
    private static final class Examples {
        private final Set<String> first = new TreeSet<>();
        private int count;

        void add(String example) {
            count++;
            if (first.size() < EXAMPLES) {
                first.add(example);
            }
        }

        void describe(String what, List<String> into) {
            if (count == 0) {
                return;
            }
            String more = count > first.size() ? ", ..." : "";
            StringJoiner joiner = new StringJoiner(", ", count + " " + what + ": ", more);
            first.forEach(joiner::add);
            into.add(joiner.toString());
        }
    }
}
