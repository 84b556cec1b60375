package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk's status never contradicts what find and refs show of it. A ref is taken only from a published, complete
 * chunk, so the status read while it is held says ready, or removing when a delete came since; never queued or
 * downloading, even while a transition of the chunk is under way on another thread.
 */
final class StatusConsistencyStressTest {
    private static final long BLOCK = 5;

    @TempDir
    Path dataDir;

    @Test
    void aFoundChunkReadsReadyWhileItIsPublishedAndRemovedOverAndOver() throws Exception {
        findWhilePublishingAndRemoving(StatusConsistencyStressTest::checkHeld);
    }

    @Test
    void aFoundChunkIsListedReadyWhileItIsPublishedAndRemovedOverAndOver() throws Exception {
        findWhilePublishingAndRemoving(StatusConsistencyStressTest::checkListed);
    }

    @Test
    void aFoundChunkIsInTheReadyListWhileItIsPublishedAndRemovedOverAndOver() throws Exception {
        findWhilePublishingAndRemoving(StatusConsistencyStressTest::checkInReadyList);
    }

    /** A thread finds the chunk over and over and checks each found ref; the test thread publishes and removes it. */
    private void findWhilePublishingAndRemoving(HeldCheck check) throws Exception {
        try (ManagerFixture fx = new ManagerFixture(dataDir); WorkerDataManager manager = fx.open()) {
            ChunkDescriptor chunk = fx.chunk("c", "d", 0, 10, 1, 1_024);
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            AtomicLong checked = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = Thread.ofPlatform().name("finder").start(() -> {
                while (!stop.get() && wrong.isEmpty()) {
                    Optional<ChunkRef> found = manager.find(chunk.datasetId(), BLOCK);
                    if (found.isPresent()) {
                        try (ChunkRef ref = found.get()) {
                            check.check(manager, ref, wrong);
                            checked.incrementAndGet();
                        }
                    }
                }
            });
            try {
                // Each cycle publishes the chunk (a download) and removes it (no ref is held long enough to stop it).
                for (int cycle = 0; cycle < 300 && wrong.isEmpty(); cycle++) {
                    manager.download(chunk).join();
                    ManagerFixture.awaitState(manager, chunk.id(), ChunkState.READY);
                    manager.delete(chunk.id()).join();
                    ManagerFixture.awaitState(manager, chunk.id(), ChunkState.ABSENT);
                }
            } finally {
                stop.set(true);
                reader.join();
            }
            assertThat(wrong).as("statuses read while a found ref was held").isEmpty();
            assertThat(checked.get()).as("finds that found the chunk").isPositive();
        }
    }

    @Test
    void aHeldChunkNeverReadsQueuedWhileDeletesAndDownloadsAlternate() throws Exception {
        try (ManagerFixture fx = new ManagerFixture(dataDir); WorkerDataManager manager = fx.open()) {
            ChunkDescriptor chunk = fx.chunk("c", "d", 0, 10, 1, 1_024);
            manager.download(chunk).join();
            ManagerFixture.awaitState(manager, chunk.id(), ChunkState.READY);
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            // The held ref keeps every delete from draining the chunk: each download publishes the same directory
            // again, so the chunk only ever moves between ready and removing.
            try (ChunkRef held = manager.acquire(chunk.id()).orElseThrow()) {
                Thread reader = Thread.ofPlatform().name("status-reader").start(() -> {
                    while (!stop.get() && wrong.isEmpty()) {
                        checkHeld(manager, held, wrong);
                        for (ChunkStatus s : manager.statuses()) {
                            if (s.state() != ChunkState.READY && s.state() != ChunkState.REMOVING) {
                                wrong.add("listed as " + s.state().wireName());
                            }
                        }
                    }
                });
                try {
                    for (int i = 0; i < 50_000 && wrong.isEmpty(); i++) {
                        manager.delete(chunk.id());
                        manager.download(chunk);
                    }
                } finally {
                    stop.set(true);
                    reader.join();
                }
            }
            assertThat(wrong).as("states read while a ref was held").isEmpty();
        }
    }

    private interface HeldCheck {
        void check(DataManager manager, ChunkRef ref, ConcurrentLinkedQueue<String> wrong);
    }

    /** The listing of all chunks, read while the ref is held: the chunk is ready in it, or removing after a delete. */
    private static void checkListed(DataManager manager, ChunkRef ref, ConcurrentLinkedQueue<String> wrong) {
        ChunkState listed = ChunkState.ABSENT;
        for (ChunkStatus s : manager.statuses()) {
            if (s.id().equals(ref.id())) {
                listed = s.state();
            }
        }
        if (listed != ChunkState.READY && listed != ChunkState.REMOVING) {
            wrong.add("listed as " + listed.wireName() + " while a ref was held");
        }
    }

    /** The list of ready chunks, read while the ref is held, has the chunk unless a delete came since. */
    private static void checkInReadyList(DataManager manager, ChunkRef ref, ConcurrentLinkedQueue<String> wrong) {
        boolean inReadyList = manager.list().stream().anyMatch(s -> s.id().equals(ref.id()));
        ChunkState after = manager.status(ref.id()).map(ChunkStatus::state).orElse(ChunkState.ABSENT);
        if (!inReadyList && after != ChunkState.REMOVING) {
            wrong.add("missing from the ready list while a ref was held (then read as " + after.wireName() + ")");
        }
    }

    private static void checkHeld(DataManager manager, ChunkRef ref, ConcurrentLinkedQueue<String> wrong) {
        ChunkState state = manager.status(ref.id()).map(ChunkStatus::state).orElse(ChunkState.ABSENT);
        if (state != ChunkState.READY && state != ChunkState.REMOVING) {
            wrong.add("read as " + state.wireName() + " while a ref was held");
        }
    }
}
