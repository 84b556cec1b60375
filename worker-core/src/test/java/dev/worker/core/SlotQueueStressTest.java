package dev.worker.core;

import static dev.worker.core.ManagerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.testkit.FileServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunks queued behind busy transfer slots have no task until a slot frees. Two threads download and delete chunks
 * over and over through two slots, first held by stalled transfers that are deleted mid-way, then by slow ones: no
 * queued chunk is ever left behind with a slot free (each wanted one ends ready), none is started twice, and none
 * that ended unwanted leaves anything on disk.
 */
final class SlotQueueStressTest {
    private static final int CHUNKS = 40;
    private static final int OPS_PER_THREAD = 2_000;

    @TempDir
    Path dataDir;

    @Test
    void queuedChunksAllStartOnceAsSlotsFreeWhileOthersAreDeletedAndWantedAgain() throws Exception {
        long seed = Long.getLong("worker.seed", 20_261_123L);
        try (ManagerFixture fx = new ManagerFixture(dataDir);
                WorkerDataManager manager = WorkerDataManager.open(fx.config().maxConcurrentTransfers(2)
                        .stallTimeout(Duration.ofSeconds(60)).build())) {
            // Two blockers take both slots and stall until deleted, so that calls find the slots busy from the start.
            List<ChunkDescriptor> blockers = new ArrayList<>();
            for (int b = 0; b < 2; b++) {
                blockers.add(fx.chunk("blocker" + b, "d", 1_000_000L + b * 10L, 1_000_010L + b * 10L, 1, 1_000_000));
                fx.file("blocker" + b, 0).always(new FileServer.StallAfter(4_096));
                manager.download(blockers.get(b));
            }
            await("both slots taken", () -> fx.server.inFlight() == 2);
            List<ChunkDescriptor> chunks = new ArrayList<>();
            for (int i = 0; i < CHUNKS; i++) {
                chunks.add(fx.chunk("c" + i, "d", i * 10L, i * 10L + 10, 1, 8_192));
                // Slow enough that the two slots stay busy while the calls come: 8 pauses of 2 ms per file.
                fx.file("c" + i, 0).always(new FileServer.Throttle(1_024, Duration.ofMillis(2)));
            }
            // Each thread owns half the chunks, so the last call for each chunk, and so its final state, is known.
            ConcurrentHashMap<ChunkId, Boolean> wanted = new ConcurrentHashMap<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int owner = t;
                Random random = new Random(seed + t);
                threads.add(Thread.ofPlatform().name("caller-" + t).start(() -> {
                    try {
                        for (int op = 0; op < OPS_PER_THREAD; op++) {
                            if (owner == 0 && (op == OPS_PER_THREAD / 3 || op == 2 * OPS_PER_THREAD / 3)) {
                                // Free a slot mid-way: queued chunks start while the calls go on.
                                manager.delete(blockers.get(op == OPS_PER_THREAD / 3 ? 0 : 1).id());
                            }
                            ChunkDescriptor c = chunks.get(2 * random.nextInt(CHUNKS / 2) + owner);
                            if (random.nextInt(100) < 55) {
                                manager.download(c);
                                wanted.put(c.id(), true);
                            } else {
                                manager.delete(c.id());
                                wanted.put(c.id(), false);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(failure.get()).as("seed=%d", seed).isNull();

            for (ChunkDescriptor c : chunks) {
                ChunkState expected = wanted.getOrDefault(c.id(), false) ? ChunkState.READY : ChunkState.ABSENT;
                await("seed=" + seed + " " + c.id() + " " + expected.wireName(),
                        () -> manager.status(c.id()).map(ChunkStatus::state).orElse(ChunkState.ABSENT) == expected);
            }
            await("no temp data left", () -> fx.list("tmp").isEmpty());
            await("trash emptied", () -> fx.list("trash").isEmpty());
            assertThat(fx.list("chunks")).as("seed=%d", seed)
                    .hasSize((int) wanted.values().stream().filter(w -> w).count());
            assertThat(fx.server.maxInFlight()).as("transfers at once").isLessThanOrEqualTo(2);
        }
    }
}
