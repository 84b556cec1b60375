package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.store.Intent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Intents whose journal write failed (disk full): the daemon answered 503 ("not accepted, retrying is safe"), yet
 * the table had already applied them. A retry changes nothing in memory, so it used to get the last append's
 * future: a failed one (503 for ever, though the disk had room again), or a later successful one (202 for an
 * intent that was never journaled, lost at the next crash). Found by the full-disk suite.
 */
final class ChunkTableJournalFailureTest {
    private final List<Intent> written = new ArrayList<>();
    private final List<CompletableFuture<Void>> appends = new ArrayList<>();
    private final ListenerBus events = new ListenerBus();
    private final ChunkTable table = new ChunkTable(intent -> {
        CompletableFuture<Void> f = new CompletableFuture<>();
        f.thenRun(() -> written.add(intent));
        appends.add(f);
        return f;
    }, events, id -> {
    });
    private final ChunkDescriptor a = TestChunks.descriptor("a", "d", 0, 100);
    private final ChunkDescriptor b = TestChunks.descriptor("b", "d", 100, 200);

    @AfterEach
    void closeEvents() {
        events.close();
    }

    private void failLast() {
        appends.getLast().completeExceptionally(new IOException("No space left on device"));
    }

    private void succeedLast() {
        appends.getLast().complete(null);
    }

    @Test
    void aDeleteRetriedAfterItsJournalWriteFailed_isJournaledAgain_andAccepted() {
        table.download(a);
        succeedLast();
        CompletableFuture<Void> delete = table.delete(a.id());
        failLast();
        assertThat(delete).isCompletedExceptionally();

        CompletableFuture<Void> retry = table.delete(a.id());
        assertThat(retry).isNotDone();
        succeedLast();
        assertThat(retry).isCompletedWithValue(null);
        assertThat(written).containsExactly(new Intent.Download(a), new Intent.Delete(a.id()));
    }

    @Test
    void aDownloadRetriedAfterItsJournalWriteFailed_isNotAcceptedOnALaterAppendOfAnotherChunk() {
        CompletableFuture<Void> download = table.download(a);
        failLast();
        assertThat(download).isCompletedExceptionally();
        table.download(b);
        succeedLast();

        CompletableFuture<Void> retry = table.download(a);
        succeedLast();
        assertThat(retry).isCompletedWithValue(null);
        assertThat(written).as("a's intent must be in the journal before its retry is acknowledged")
                .contains(new Intent.Download(a));
    }

    @Test
    void aNoOpIntent_waitsForEveryEarlierAppend_notJustTheLastOne() {
        table.download(a);
        CompletableFuture<Void> first = appends.getLast();
        table.download(b);
        succeedLast(); // b's batch is durable, a's is still being written
        CompletableFuture<Void> repeated = table.download(a);
        assertThat(repeated).isNotDone();
        first.completeExceptionally(new IOException("No space left on device"));
        assertThat(repeated).as("a repeat of a's download is not durable when a's own append failed")
                .isCompletedExceptionally();
    }
}
