package dev.worker.core;

import static dev.worker.core.ManagerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers find, hold and release refs while writers delete and re-add the same chunks: a held chunk's directory and
 * files never vanish before the ref is closed, and nothing stays held or half-removed at the end.
 */
final class RefChurnStressTest {
    private static final int CHUNKS = 8;
    private static final int WRITER_OPS = 5_000;

    @TempDir
    Path dataDir;

    @Test
    void heldChunksNeverVanishWhileOthersDeleteAndReAddThem() throws Exception {
        long seed = Long.getLong("worker.seed", new Random().nextLong());
        try (ManagerFixture fx = new ManagerFixture(dataDir); WorkerDataManager manager = fx.open()) {
            List<ChunkDescriptor> chunks = new ArrayList<>();
            for (int i = 0; i < CHUNKS; i++) {
                chunks.add(fx.chunk("c" + i, "d", i * 10L, i * 10L + 10, 2, 4_096));
            }
            chunks.forEach(manager::download);
            for (ChunkDescriptor c : chunks) {
                ManagerFixture.awaitState(manager, c.id(), ChunkState.READY);
            }
            AtomicLong forgotten = new AtomicLong();
            AtomicLong revived = new AtomicLong();
            manager.addListener((id, from, to) -> {
                if (to == ChunkState.ABSENT) {
                    forgotten.incrementAndGet();
                } else if (from == ChunkState.REMOVING && to == ChunkState.READY) {
                    revived.incrementAndGet();
                }
            });

            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            AtomicLong holds = new AtomicLong();
            int readers = 4;
            int writers = 2;
            CountDownLatch writersDone = new CountDownLatch(writers);
            CountDownLatch readersDone = new CountDownLatch(readers);
            for (int r = 0; r < readers; r++) {
                Random random = new Random(seed + r);
                Thread.ofPlatform().name("reader-" + r).start(() -> {
                    try {
                        while (!stop.get() && failure.get() == null) {
                            manager.find(chunks.getFirst().datasetId(), random.nextInt(CHUNKS * 10)).ifPresent(ref -> {
                                try (ref) {
                                    holds.incrementAndGet();
                                    for (int check = 0; check < 3; check++) {
                                        for (String name : ref.descriptor().files().keySet()) {
                                            Path file = ref.file(name);
                                            if (!Files.isRegularFile(file) || Files.size(file) != 4_096) {
                                                failure.compareAndSet(null, "held file vanished or changed: " + file);
                                            }
                                        }
                                        Thread.onSpinWait();
                                    }
                                } catch (Exception e) {
                                    failure.compareAndSet(null, "reader failed: " + e);
                                }
                            });
                        }
                    } finally {
                        readersDone.countDown();
                    }
                });
            }
            for (int w = 0; w < writers; w++) {
                Random random = new Random(seed * 31 + w);
                Thread.ofPlatform().name("writer-" + w).start(() -> {
                    try {
                        for (int op = 0; op < WRITER_OPS && failure.get() == null; op++) {
                            ChunkDescriptor c = chunks.get(random.nextInt(CHUNKS));
                            if (random.nextBoolean()) {
                                manager.delete(c.id());
                            } else {
                                manager.download(c);
                            }
                            // Paced, so removals and downloads run between the calls.
                            java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(200_000));
                        }
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, "writer failed: " + e);
                    } finally {
                        writersDone.countDown();
                    }
                });
            }
            assertThat(writersDone.await(60, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
            assertThat(readersDone.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(failure.get()).as("seed=%d holds=%d", seed, holds.get()).isNull();
            assertThat(holds.get()).as("readers held refs").isPositive();
            assertThat(forgotten.get()).as("chunks really left the disk (revived %d times)", revived.get())
                    .isPositive();

            chunks.forEach(manager::download);
            for (ChunkDescriptor c : chunks) {
                ManagerFixture.awaitState(manager, c.id(), ChunkState.READY);
                try (ChunkRef ref = manager.acquire(c.id()).orElseThrow()) {
                    fx.assertContent(ref);
                }
            }
            assertThat(manager.stats().refsActive()).isZero();
            await("tmp/ and trash/ empty", () -> fx.list("tmp").isEmpty() && fx.list("trash").isEmpty());
            assertThat(fx.list("chunks")).hasSize(CHUNKS);
        }
    }
}
