package dev.worker.mock.drive;

import static dev.worker.mock.drive.Fixtures.chunk;
import static dev.worker.mock.drive.Fixtures.listed;
import static dev.worker.mock.drive.Fixtures.listing;
import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a drive counts as needed, over the whole run and after the last operation. */
final class DriveTest {
    private static final ChunkDescriptor A = chunk(1, 1, 0, 100);
    private static final ChunkDescriptor B = chunk(2, 1, 100, 200);
    private static final ChunkDescriptor C = chunk(3, 2, 0, 100);
    private static final ChunkDescriptor D = chunk(4, 2, 100, 200);

    private static ListedChunk downloading(ChunkDescriptor chunk, long done) {
        return new ListedChunk(chunk.id(), chunk.datasetId(), chunk.range(), "downloading", done, 100, 0,
                Optional.empty(), Optional.empty());
    }

    @Test
    void bytesNeeded_countsChunksReadyAtTheEndThatWereNotReadyAtTheStart() {
        ChunkListing start = listing(listed(A, "ready"), listed(B, "queued"));
        ChunkListing end = listing(listed(A, "ready"), listed(B, "ready"), listed(C, "ready"), listed(D, "removing"));

        assertThat(Drive.bytesNeeded(start, end)).isEqualTo(200);
    }

    @Test
    void bytesStillNeeded_subtractsWhatWasReadyOrPartlyOnDiskWhenThePlayEnded() {
        ChunkListing atPlayEnd = listing(listed(A, "ready"), downloading(B, 30), listed(D, "queued"));
        ChunkListing end = listing(listed(A, "ready"), listed(B, "ready"), listed(C, "ready"), listed(D, "ready"));

        // A: had it all; B: 70 left; C: unknown then, all of it; D: queued with nothing on disk.
        assertThat(Drive.bytesStillNeeded(atPlayEnd, end)).isEqualTo(70 + 100 + 100);
    }

    @Test
    void bytesStillNeeded_ignoresChunksNotReadyAtTheEnd() {
        ChunkListing atPlayEnd = listing(downloading(A, 50));
        ChunkListing end = listing(listed(A, "removing"), listed(B, "failed"));

        assertThat(Drive.bytesStillNeeded(atPlayEnd, end)).isZero();
    }
}
