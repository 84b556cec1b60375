package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkState;
import dev.worker.core.ChunkStatus;
import dev.worker.core.TestChunks;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class CoverageTest {
    private static ChunkStatus chunk(String name, String dataset, long start, long end, ChunkState state) {
        return new ChunkStatus(TestChunks.descriptor(name, dataset, start, end), state, 0, 0, 0, Optional.empty(), 0,
                Optional.empty(), Optional.empty());
    }

    private static String segments(Coverage.Dataset d) {
        return String.join(" ", d.segments().stream()
                .map(s -> s.start() + "-" + s.end() + ":" + s.kind().wireName()).toList());
    }

    @Test
    void gapsAreMissing_andAdjacentRangesOfOneKindMerge() {
        List<Coverage.Dataset> c = Coverage.of(List.of(
                chunk("a", "eth", 0, 100, ChunkState.READY),
                chunk("b", "eth", 100, 200, ChunkState.READY),
                chunk("c", "eth", 300, 400, ChunkState.FAILED),
                chunk("d", "eth", 400, 450, ChunkState.QUEUED),
                chunk("e", "eth", 450, 500, ChunkState.DOWNLOADING)));
        assertThat(c).hasSize(1);
        assertThat(c.getFirst().span().start()).isZero();
        assertThat(c.getFirst().span().end()).isEqualTo(500);
        assertThat(c.getFirst().chunks()).isEqualTo(5);
        assertThat(c.getFirst().readyChunks()).isEqualTo(2);
        assertThat(segments(c.getFirst())).isEqualTo("0-200:ready 200-300:missing 300-400:failed 400-500:pending");
    }

    @Test
    void overlaps_showTheBestState_readyOverPendingOverFailed() {
        List<Coverage.Dataset> c = Coverage.of(List.of(
                chunk("a", "eth", 0, 100, ChunkState.FAILED),
                chunk("b", "eth", 50, 150, ChunkState.DOWNLOADING),
                chunk("c", "eth", 120, 130, ChunkState.READY)));
        assertThat(segments(c.getFirst())).isEqualTo("0-50:failed 50-120:pending 120-130:ready 130-150:pending");
    }

    @Test
    void chunksBeingRemoved_doNotCount() {
        List<Coverage.Dataset> c = Coverage.of(List.of(
                chunk("a", "eth", 0, 100, ChunkState.READY),
                chunk("b", "eth", 100, 200, ChunkState.REMOVING),
                chunk("c", "sol", 0, 10, ChunkState.REMOVING)));
        assertThat(c).hasSize(1);
        assertThat(segments(c.getFirst())).isEqualTo("0-100:ready");
    }

    @Test
    void randomSets_segmentsTileTheSpan_andEachBlockHasItsBestState() {
        long seed = 18;
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            List<ChunkStatus> chunks = new ArrayList<>();
            ChunkState[] states = ChunkState.values();
            for (int i = 0; i < 1 + random.nextInt(12); i++) {
                long start = random.nextInt(100);
                ChunkState state = states[random.nextInt(states.length - 1)]; // not ABSENT
                chunks.add(chunk("c" + round + "-" + i, "eth", start, start + 1 + random.nextInt(30), state));
            }
            for (Coverage.Dataset d : Coverage.of(chunks)) {
                long at = d.span().start();
                Coverage.Kind previous = null;
                for (Coverage.Segment s : d.segments()) {
                    assertThat(s.start()).as("seed %d round %d", seed, round).isEqualTo(at);
                    assertThat(s.kind()).as("merged").isNotEqualTo(previous);
                    for (long block = s.start(); block < s.end(); block++) {
                        assertThat(s.kind()).as("block %d seed %d round %d", block, seed, round)
                                .isEqualTo(best(chunks, block));
                    }
                    at = s.end();
                    previous = s.kind();
                }
                assertThat(at).isEqualTo(d.span().end());
            }
        }
    }

    /** The naive answer for one block. */
    private static Coverage.Kind best(List<ChunkStatus> chunks, long block) {
        Coverage.Kind best = Coverage.Kind.MISSING;
        for (ChunkStatus s : chunks) {
            if (s.descriptor().range().start() <= block && block < s.descriptor().range().end()) {
                Coverage.Kind k = switch (s.state()) {
                    case READY -> Coverage.Kind.READY;
                    case QUEUED, DOWNLOADING -> Coverage.Kind.PENDING;
                    case FAILED -> Coverage.Kind.FAILED;
                    case REMOVING, ABSENT -> Coverage.Kind.MISSING;
                };
                if (k.ordinal() < best.ordinal()) {
                    best = k;
                }
            }
        }
        return best;
    }
}
