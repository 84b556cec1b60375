package dev.worker.mock.drive;

import static dev.worker.mock.drive.Fixtures.chunk;
import static dev.worker.mock.drive.Fixtures.listed;
import static dev.worker.mock.drive.Fixtures.listing;
import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** When a listing counts as converged on the model's desired set. */
final class ConvergenceWaiterTest {
    private static final ChunkDescriptor A = chunk(1, 1, 0, 100);
    private static final ChunkDescriptor B = chunk(2, 1, 100, 200);
    private static final ChunkDescriptor C = chunk(3, 2, 0, 100);

    private static DriverModel wanting(ChunkDescriptor... chunks) {
        DriverModel model = new DriverModel(Map.of(), 0, Duration.ofSeconds(1));
        for (ChunkDescriptor chunk : chunks) {
            model.acknowledge(model.intend(chunk.id(), true, 1), 2);
        }
        return model;
    }

    @Test
    void converged_whenExactlyTheWantedChunksAreReady() {
        assertThat(ConvergenceWaiter.differences(listing(listed(A, "ready"), listed(B, "ready")), wanting(A, B)))
                .isEmpty();
        assertThat(ConvergenceWaiter.differences(listing(), wanting())).isEmpty();
    }

    @Test
    void notConverged_whileAWantedChunkIsMissingOrNotReady() {
        assertThat(ConvergenceWaiter.differences(listing(listed(A, "ready")), wanting(A, B)))
                .containsExactly("1 wanted chunks not ready: " + B.id() + " (unknown to the daemon)");
        assertThat(ConvergenceWaiter.differences(listing(listed(A, "downloading")), wanting(A)))
                .containsExactly("1 wanted chunks not ready: " + A.id() + " (downloading)");
    }

    @Test
    void notConverged_whileAnUnwantedChunkIsKnown() {
        DriverModel model = wanting(A, C);
        model.acknowledge(model.intend(C.id(), false, 3), 4);
        assertThat(ConvergenceWaiter.differences(listing(listed(A, "ready"), listed(C, "removing")), model))
                .containsExactly("1 unwanted chunks still known: " + C.id() + " (removing)");
        assertThat(ConvergenceWaiter.differences(listing(listed(A, "ready"), listed(C, "ready")), model))
                .containsExactly("1 unwanted chunks ready: " + C.id() + " (ready)");
    }

    @Test
    void aChunkOfUnknownIntent_mayBeReadyOrGone_butNotInBetween() {
        DriverModel model = wanting(A);
        model.uncertain(model.intend(B.id(), true, 3));
        assertThat(ConvergenceWaiter.differences(listing(listed(A, "ready"), listed(B, "ready")), model)).isEmpty();
        assertThat(ConvergenceWaiter.differences(listing(listed(A, "ready")), model)).isEmpty();
        assertThat(ConvergenceWaiter.differences(listing(listed(A, "ready"), listed(B, "queued")), model))
                .hasSize(1);
    }

    @Test
    void aWantedFailedChunk_isHopeless() {
        ListedChunk failed = new ListedChunk(A.id(), A.datasetId(), A.range(), "failed", 0, 0, 0, Optional.empty(),
                Optional.of("HTTP 404"));
        assertThat(ConvergenceWaiter.failed(listing(failed), wanting(A)))
                .containsExactly("wanted chunk " + A.id() + " failed: HTTP 404");
        assertThat(ConvergenceWaiter.failed(listing(listed(A, "downloading")), wanting(A))).isEmpty();
    }

    @Test
    void longLists_showTheFirstFewExamples() {
        DriverModel model = wanting();
        Map<ChunkId, ListedChunk> chunks = new TreeMap<>();
        for (int i = 10; i < 20; i++) {
            ListedChunk chunk = listed(chunk(i, 1, i * 100L, i * 100L + 100), "queued");
            chunks.put(chunk.id(), chunk);
        }
        assertThat(ConvergenceWaiter.differences(new ChunkListing(chunks), model))
                .singleElement().asString().startsWith("10 unwanted chunks still known: ").endsWith(", ...");
    }
}
