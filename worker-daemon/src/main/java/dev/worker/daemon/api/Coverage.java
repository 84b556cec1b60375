package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import dev.worker.core.BlockRange;
import dev.worker.core.ChunkStatus;
import dev.worker.core.DatasetId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a dataset's block range looks like on this worker, for the status page's coverage map: the span from the
 * lowest start to the highest end of its wanted chunks, cut into segments each in one state. A block is
 * {@code ready} when a ready chunk holds it, else {@code pending} when a queued or downloading one will, else
 * {@code failed} when only failed ones would, else {@code missing} (no wanted chunk covers it: a gap). Chunks being
 * removed are not wanted and do not count. Pure: a sweep over the chunks' boundaries, O(n log n).
 */
final class Coverage {
    /** A segment's state, in order of precedence. */
    enum Kind {
        READY, PENDING, FAILED, MISSING;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Segment(long start, long end, Kind kind) {
        Segment {
            requireNonNull(kind, "kind");
            if (start >= end) {
                throw new IllegalArgumentException("empty segment [" + start + ", " + end + ")");
            }
        }
    }

    /** One dataset: its span, chunk counts and segments (which cover the span without gaps or overlaps). */
    record Dataset(DatasetId id, BlockRange span, int chunks, int readyChunks, List<Segment> segments) {
        Dataset {
            requireNonNull(id, "id");
            requireNonNull(span, "span");
            segments = List.copyOf(segments);
        }
    }

    private Coverage() {
    }

    /** Every dataset with at least one wanted chunk, by id. */
    static List<Dataset> of(List<ChunkStatus> statuses) {
        Map<DatasetId, List<ChunkStatus>> byDataset = new TreeMap<>(Comparator.comparing(DatasetId::toString));
        for (ChunkStatus s : statuses) {
            if (kind(s) != null) {
                byDataset.computeIfAbsent(s.descriptor().datasetId(), k -> new ArrayList<>()).add(s);
            }
        }
        List<Dataset> out = new ArrayList<>(byDataset.size());
        byDataset.forEach((id, chunks) -> out.add(dataset(id, chunks)));
        return out;
    }

    private static Dataset dataset(DatasetId id, List<ChunkStatus> chunks) {
        // Per boundary, how many chunks of each kind start (+1) and end (-1) there.
        TreeMap<Long, int[]> deltas = new TreeMap<>();
        int ready = 0;
        for (ChunkStatus s : chunks) {
            Kind kind = kind(s);
            BlockRange r = s.descriptor().range();
            deltas.computeIfAbsent(r.start(), k -> new int[3])[kind.ordinal()]++;
            deltas.computeIfAbsent(r.end(), k -> new int[3])[kind.ordinal()]--;
            if (kind == Kind.READY) {
                ready++;
            }
        }
        List<Segment> segments = new ArrayList<>();
        int[] open = new int[3];
        Long from = null;
        for (Map.Entry<Long, int[]> e : deltas.entrySet()) {
            if (from != null) {
                add(segments, new Segment(from, e.getKey(), current(open)));
            }
            for (int k = 0; k < 3; k++) {
                open[k] += e.getValue()[k];
            }
            from = e.getKey();
        }
        return new Dataset(id, new BlockRange(deltas.firstKey(), deltas.lastKey()), chunks.size(), ready, segments);
    }

    private static Kind current(int[] open) {
        for (Kind k : List.of(Kind.READY, Kind.PENDING, Kind.FAILED)) {
            if (open[k.ordinal()] > 0) {
                return k;
            }
        }
        return Kind.MISSING;
    }

    /** Appends, merging with the previous segment when it has the same kind. */
    private static void add(List<Segment> segments, Segment next) {
        if (!segments.isEmpty()) {
            Segment last = segments.getLast();
            if (last.kind() == next.kind() && last.end() == next.start()) {
                segments.set(segments.size() - 1, new Segment(last.start(), next.end(), last.kind()));
                return;
            }
        }
        segments.add(next);
    }

    /** The kind a chunk paints, or null for one that is not wanted (removing). */
    private static Kind kind(ChunkStatus s) {
        return switch (s.state()) {
            case READY -> Kind.READY;
            case QUEUED, DOWNLOADING -> Kind.PENDING;
            case FAILED -> Kind.FAILED;
            case REMOVING, ABSENT -> null;
        };
    }
}
