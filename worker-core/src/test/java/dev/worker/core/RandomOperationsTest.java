package dev.worker.core;

import static dev.worker.core.ManagerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.testkit.FileServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of seeded random download / delete / assign / find / hold / release operations (and restarts) against a
 * file server injecting transient faults. After every step: nothing found that is not wanted, and found chunks
 * have complete files. After quiescence: the ready set equals the desired set, every ready chunk's bytes are right,
 * no tmp/ or trash/ residue, no open refs. The seed is printed on failure; set -Dworker.seed=N to replay one.
 */
final class RandomOperationsTest {
    private static final int CHUNKS = 24;
    private static final int OPERATIONS = 3_000;

    @TempDir
    Path dataDir;

    @Test
    void randomOperationsConvergeToTheDesiredSetWithCorrectBytes() throws Exception {
        long seed = Long.getLong("worker.seed", new Random().nextLong());
        Random random = new Random(seed);
        String context = "seed=" + seed;
        try (ManagerFixture fx = new ManagerFixture(dataDir)) {
            List<ChunkDescriptor> chunks = new ArrayList<>();
            for (int i = 0; i < CHUNKS; i++) {
                // Two datasets; ranges of neighbours overlap now and then.
                long start = (i / 2) * 100L + (i % 3 == 0 ? 50 : 0);
                chunks.add(fx.chunk("c" + i, "d" + (i % 2), start, start + 100, 1 + random.nextInt(3),
                        1 + random.nextInt(60_000)));
            }
            Set<ChunkId> desired = new HashSet<>();
            Deque<ChunkRef> held = new ArrayDeque<>();
            WorkerDataManager manager = fx.open();
            try {
                for (int op = 0; op < OPERATIONS; op++) {
                    String where = context + " op=" + op;
                    int kind = random.nextInt(100);
                    ChunkDescriptor c = chunks.get(random.nextInt(CHUNKS));
                    if (kind < 30) {
                        injectFault(fx, random, c);
                        manager.download(c);
                        desired.add(c.id());
                    } else if (kind < 50) {
                        manager.delete(c.id());
                        desired.remove(c.id());
                    } else if (kind < 53) {
                        List<ChunkDescriptor> set = chunks.stream().filter(x -> random.nextInt(3) == 0).toList();
                        manager.assign(set);
                        desired.clear();
                        set.forEach(x -> desired.add(x.id()));
                    } else if (kind < 85) {
                        manager.find(c.datasetId(), c.range().start() + random.nextInt(100)).ifPresent(ref -> {
                            assertThat(desired).as(where + ": found chunk must be wanted").contains(ref.id());
                            assertFilesComplete(ref, where);
                            if (random.nextBoolean()) {
                                held.add(ref);
                            } else {
                                ref.close();
                            }
                        });
                    } else if (kind < 97) {
                        if (!held.isEmpty()) {
                            ChunkRef ref = random.nextBoolean() ? held.pollFirst() : held.pollLast();
                            assertThat(ref.path()).as(where + ": a held chunk stays on disk").isDirectory();
                            assertFilesComplete(ref, where);
                            ref.close();
                        }
                    } else if (kind < 98) {
                        held.forEach(ChunkRef::close);
                        held.clear();
                        manager.close();
                        manager = fx.open();
                    }
                    for (ChunkStatus s : manager.list()) {
                        assertThat(desired).as(where + ": listed chunk must be wanted").contains(s.id());
                    }
                    if (op % 100 == 0) {
                        // Let background work catch up now and then, so operations meet every state.
                        Thread.sleep(random.nextInt(20));
                    }
                }
                held.forEach(ChunkRef::close);
                held.clear();

                WorkerDataManager m = manager;
                await(context + ": convergence", () -> converged(m, desired));
                Set<ChunkId> ready = m.list().stream().map(ChunkStatus::id).collect(Collectors.toSet());
                assertThat(ready).as(context).isEqualTo(desired);
                for (ChunkId id : desired) {
                    try (ChunkRef ref = m.acquire(id).orElseThrow()) {
                        fx.assertContent(ref);
                    }
                }
                await(context + ": no tmp/ residue", () -> fx.list("tmp").isEmpty());
                await(context + ": no trash/ residue", () -> fx.list("trash").isEmpty());
                assertThat(fx.list("chunks")).as(context).hasSize(desired.size());
                assertThat(m.stats().refsActive()).as(context).isZero();
            } finally {
                held.forEach(ChunkRef::close);
                manager.close();
            }
        }
    }

    private static boolean converged(DataManager m, Set<ChunkId> desired) {
        Map<ChunkId, ChunkState> states = new HashMap<>();
        m.statuses().forEach(s -> states.put(s.id(), s.state()));
        return states.keySet().equals(desired) && states.values().stream().allMatch(s -> s == ChunkState.READY);
    }

    /** One transient fault on one file of the chunk, now and then. */
    private static void injectFault(ManagerFixture fx, Random random, ChunkDescriptor c) {
        if (random.nextInt(4) != 0) {
            return;
        }
        int file = random.nextInt(c.files().size());
        String name = "c" + chunksIndex(c);
        int size = (int) c.files().get("f" + file).size().getAsLong();
        FileServer.Fault fault = switch (random.nextInt(4)) {
            case 0 -> new FileServer.Status(503, Map.of());
            case 1 -> new FileServer.TruncateAfter(random.nextInt(size));
            case 2 -> new FileServer.ResetAfter(random.nextInt(size));
            default -> new FileServer.Status(429, Map.of("Retry-After", "0"));
        };
        fx.file(name, file).then(fault);
    }

    private static int chunksIndex(ChunkDescriptor c) {
        for (int i = 0; i < CHUNKS; i++) {
            if (TestChunks.chunkId("c" + i).equals(c.id())) {
                return i;
            }
        }
        throw new IllegalArgumentException(c.id().toString());
    }

    private static void assertFilesComplete(ChunkRef ref, String where) {
        ref.descriptor().files().forEach((name, source) -> {
            Path file = ref.file(name);
            assertThat(file).as(where).isRegularFile();
            try {
                assertThat(Files.size(file)).as(where + " " + file).isEqualTo(source.size().getAsLong());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
