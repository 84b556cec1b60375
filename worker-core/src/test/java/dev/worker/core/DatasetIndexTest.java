package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

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

final class DatasetIndexTest {
    // Tiny leaves, so that the tests split, merge and rebuild leaves all the time.
    private final DatasetIndex index = new DatasetIndex(3);
    private final AtomicLong seq = new AtomicLong();

    private final java.util.Map<ChunkId, String> names = new java.util.concurrent.ConcurrentHashMap<>();

    private ChunkHandle handle(String name, long start, long end) {
        names.put(TestChunks.chunkId(name), name);
        return new ChunkHandle(TestChunks.descriptor(name, "d", start, end), Path.of("/chunks"), 1,
                seq.incrementAndGet(), h -> { });
    }

    private String found(long block) {
        ChunkHandle h = index.find(block);
        if (h == null) {
            return null;
        }
        h.release();
        return names.get(h.id());
    }

    @Test
    void findsTheChunkCoveringABlockAndNothingInGaps() {
        index.add(handle("a", 0, 100));
        index.add(handle("b", 100, 200));
        index.add(handle("c", 300, 400));

        assertThat(found(0)).isEqualTo("a");
        assertThat(found(99)).isEqualTo("a");
        assertThat(found(100)).isEqualTo("b");
        assertThat(found(250)).isNull();
        assertThat(found(399)).isEqualTo("c");
        assertThat(found(400)).isNull();
        assertThat(index.segments()).hasSize(3);
    }

    @Test
    void overlappingRangesResolveToTheNewestAndFallBackWhenItGoes() {
        ChunkHandle old = handle("old", 0, 100);
        ChunkHandle newer = handle("new", 50, 150);
        index.add(old);
        index.add(newer);

        assertThat(found(10)).isEqualTo("old");
        assertThat(found(60)).isEqualTo("new");
        assertThat(found(120)).isEqualTo("new");

        newer.unpublish();
        assertThat(found(60)).as("an unpublished handle is skipped before it leaves the index").isEqualTo("old");
        index.remove(newer);
        assertThat(found(60)).isEqualTo("old");
        assertThat(found(120)).isNull();
        assertThat(index.segments()).singleElement().satisfies(s -> {
            assertThat(s.start()).isZero();
            assertThat(s.end()).isEqualTo(100);
        });
        index.remove(old);
        assertThat(index.isEmpty()).isTrue();
    }

    @Test
    void lookupsFindTheRightChunkWhenChunkSizesAndGapsDifferByOrdersOfMagnitude() {
        // A lookup guesses a position from the block number, as if chunks were all as long, and searches from
        // there: sizes and gaps from 1 block to 10^15 within one leaf make most guesses wrong.
        DatasetIndex full = new DatasetIndex();
        Random random = new Random(20261123L);
        long[] lengths = {1, 7, 1_000, 1_000_000_000L, 1_000_000_000_000_000L};
        long[] gaps = {0, 0, 1, 1_000_000};
        List<ChunkHandle> chunks = new ArrayList<>();
        long start = 5;
        for (int i = 0; i < 3_000; i++) {
            long end = i == 2_999 ? Long.MAX_VALUE : start + lengths[random.nextInt(lengths.length)];
            chunks.add(handle("s" + i, start, end));
            start = end + gaps[random.nextInt(gaps.length)];
        }
        full.addAll(chunks);
        for (int i = 0; i < chunks.size(); i += 7) { // removals rebuild leaves through the other path
            chunks.get(i).unpublish();
            full.remove(chunks.get(i));
        }
        List<ChunkHandle> live = chunks.stream().filter(ChunkHandle::isPublished).toList();

        List<Long> probes = new ArrayList<>(List.of(0L, 4L, 5L, Long.MAX_VALUE - 1, Long.MAX_VALUE, -1L));
        for (ChunkHandle h : chunks) {
            BlockRange r = h.descriptor().range();
            probes.addAll(List.of(r.start() - 1, r.start(), r.start() + 1, r.end() - 1, r.end()));
        }
        for (int i = 0; i < 20_000; i++) {
            probes.add(random.nextLong(Long.MAX_VALUE));
        }
        for (long block : probes) {
            ChunkHandle expected = live.stream().filter(h -> h.descriptor().range().contains(block)).findFirst()
                    .orElse(null);
            ChunkHandle actual = full.find(block);
            if (actual != null) {
                actual.release();
            }
            assertThat(actual).as("block=%d", block).isSameAs(expected);
        }
    }

    @Test
    void randomAddsAndRemovesMatchABruteForceModel() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        List<ChunkHandle> live = new ArrayList<>();
        for (int step = 0; step < 3_000; step++) {
            if (live.isEmpty() || random.nextInt(3) > 0) {
                long start = random.nextInt(1_000);
                ChunkHandle h = handle("h" + step, start, start + 1 + random.nextInt(120));
                index.add(h);
                live.add(h);
            } else {
                ChunkHandle h = live.remove(random.nextInt(live.size()));
                h.unpublish();
                index.remove(h);
            }
            for (int probe = 0; probe < 5; probe++) {
                long block = random.nextInt(1_150);
                ChunkHandle expected = live.stream()
                        .filter(h -> h.descriptor().range().contains(block))
                        .max((a, b) -> Long.compare(a.seq(), b.seq()))
                        .orElse(null);
                ChunkHandle actual = index.find(block);
                if (actual != null) {
                    actual.release();
                }
                assertThat(actual).as("seed=%d step=%d block=%d", seed, step, block).isSameAs(expected);
            }
        }
        List<DatasetIndex.Segment> segments = index.segments();
        for (int i = 0; i < segments.size(); i++) {
            assertThat(segments.get(i).start()).as("seed=%d", seed).isLessThan(segments.get(i).end());
            if (i > 0) {
                assertThat(segments.get(i).start()).as("seed=%d sorted, disjoint", seed)
                        .isGreaterThanOrEqualTo(segments.get(i - 1).end());
            }
        }
        assertThat(java.util.Arrays.stream(index.leafSizes()).boxed().toList()).as("seed=%d", seed)
                .allSatisfy(size -> assertThat(size).isBetween(1, 3));
        for (ChunkHandle h : live) {
            h.unpublish();
            index.remove(h);
        }
        assertThat(index.isEmpty()).as("seed=%d: empty after removing every chunk", seed).isTrue();
    }

    @Test
    void bulkLoadingAnswersLikeAddingOneByOne() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (boolean overlapping : new boolean[] {false, true}) {
            List<ChunkHandle> handles = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long start = overlapping ? random.nextInt(20_000) : i * 100L;
                handles.add(handle("h" + i, start, start + (overlapping ? 1 + random.nextInt(300) : 100)));
            }
            DatasetIndex bulk = new DatasetIndex();
            java.util.Collections.shuffle(handles, random);
            bulk.addAll(handles);
            DatasetIndex oneByOne = new DatasetIndex(4);
            handles.stream().sorted(java.util.Comparator.comparingLong(ChunkHandle::seq)).forEach(oneByOne::add);
            for (long block = 0; block < 30_500; block += 7) {
                ChunkHandle a = bulk.find(block);
                ChunkHandle b = oneByOne.find(block);
                assertThat(a).as("seed=%d overlapping=%s block=%d", seed, overlapping, block).isSameAs(b);
                if (a != null) {
                    a.release();
                    b.release();
                }
            }
        }
    }

    @Test
    void readersNeverMissAStableChunkWhileOverlappingChunksComeAndGo() throws Exception {
        long seed = new Random().nextLong();
        // Stable chunks tile [0, 10_000); writers add and remove overlapping chunks on top.
        for (int i = 0; i < 100; i++) {
            index.add(handle("stable" + i, i * 100L, (i + 1) * 100L));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicLong finds = new AtomicLong();
        CountDownLatch done = new CountDownLatch(3);
        for (int r = 0; r < 2; r++) {
            long readerSeed = seed + r;
            Thread.ofPlatform().start(() -> {
                Random random = new Random(readerSeed);
                try {
                    while (!stop.get()) {
                        long block = random.nextInt(10_000);
                        ChunkHandle h = index.find(block);
                        finds.incrementAndGet();
                        if (h == null) {
                            failure.compareAndSet(null, "no chunk for block " + block + " seed=" + readerSeed);
                            return;
                        }
                        if (!h.descriptor().range().contains(block)) {
                            failure.compareAndSet(null, "wrong chunk for block " + block + ": " + h);
                        }
                        h.release();
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        Thread.ofPlatform().start(() -> {
            Random random = new Random(seed);
            List<ChunkHandle> extra = new ArrayList<>();
            try {
                for (int step = 0; step < 20_000 && failure.get() == null; step++) {
                    if (extra.size() < 20 && (extra.isEmpty() || random.nextBoolean())) {
                        long start = random.nextInt(10_000);
                        ChunkHandle h = handle("x" + step, start, start + 1 + random.nextInt(500));
                        index.add(h);
                        extra.add(h);
                    } else {
                        ChunkHandle h = extra.remove(random.nextInt(extra.size()));
                        h.unpublish();
                        index.remove(h);
                    }
                }
            } finally {
                stop.set(true);
                done.countDown();
            }
        });
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).as("seed=%d after %d finds", seed, finds.get()).isNull();
        assertThat(finds.get()).isPositive();
    }
}
