package dev.worker.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The published chunks of one dataset, for {@code find(block)} in O(log n) without locks.
 *
 * <p>Chunks' ranges may overlap, so the index keeps the block axis cut into disjoint segments, each listing every
 * handle that covers it, newest first. A reader takes the segment with the greatest start &lt;= block and acquires
 * the first handle of it that is still published.
 *
 * <p>Writers (one at a time, under {@link #writeLock}, memory only) replace the segments of the range they touch:
 * first they put the new segments in descending start order, then remove the stale starts in ascending order.
 * INVARIANT: at every moment, for every block b, the segment a reader finds for b lists every handle that covers b
 * and is neither being added nor removed by the writer in flight. So a chunk that stays published is never missed,
 * and a removed one is never returned (its handle refuses new refs before it leaves the index).
 */
final class DatasetIndex {
    /** Disjoint {@code [start, end)} with the handles covering it, newest (highest seq) first. */
    record Segment(long start, long end, ChunkHandle[] handles) {
    }

    private static final Comparator<ChunkHandle> NEWEST_FIRST =
            Comparator.comparingLong(ChunkHandle::seq).reversed();

    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final ReentrantLock writeLock = new ReentrantLock();

    /** The newest published chunk covering {@code block}, acquired; null when none. */
    ChunkHandle find(long block) {
        Segment missed = null;
        boolean retried = false;
        while (true) {
            Map.Entry<Long, Segment> floor = segments.floorEntry(block);
            Segment segment = floor == null ? null : floor.getValue();
            if (segment != null && segment.end > block) {
                for (ChunkHandle handle : segment.handles) {
                    if (handle.tryAcquire()) {
                        return handle;
                    }
                }
                return null;
            }
            // A miss may be a torn read: the traversal settled on a node, then a writer inserted a greater start
            // and trimmed this node's segment (or removed it). The trim or removal comes after the insert, so a
            // traversal that starts after we saw it sees the insert. The same answer twice in a row is a real miss.
            if (retried && segment == missed) {
                return null;
            }
            missed = segment;
            retried = true;
        }
    }

    void add(ChunkHandle handle) {
        BlockRange range = handle.descriptor().range();
        writeLock.lock();
        try {
            rewrite(range, handle, true);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Adds many handles at once (startup): one sorted sweep when their ranges do not overlap each other or what is
     * already indexed, else one by one in publication order.
     */
    void addAll(List<ChunkHandle> handles) {
        List<ChunkHandle> sorted = new ArrayList<>(handles);
        sorted.sort(Comparator.comparingLong((ChunkHandle h) -> h.descriptor().range().start())
                .thenComparingLong(ChunkHandle::seq));
        writeLock.lock();
        try {
            boolean disjoint = segments.isEmpty();
            for (int i = 1; disjoint && i < sorted.size(); i++) {
                disjoint = sorted.get(i).descriptor().range().start() >= sorted.get(i - 1).descriptor().range().end();
            }
            if (disjoint) {
                for (ChunkHandle h : sorted) {
                    BlockRange r = h.descriptor().range();
                    segments.put(r.start(), new Segment(r.start(), r.end(), new ChunkHandle[] {h}));
                }
                return;
            }
            sorted.sort(Comparator.comparingLong(ChunkHandle::seq));
            for (ChunkHandle h : sorted) {
                rewrite(h.descriptor().range(), h, true);
            }
        } finally {
            writeLock.unlock();
        }
    }

    void remove(ChunkHandle handle) {
        BlockRange range = handle.descriptor().range();
        writeLock.lock();
        try {
            rewrite(range, handle, false);
        } finally {
            writeLock.unlock();
        }
    }

    boolean isEmpty() {
        return segments.isEmpty();
    }

    /** For tests: the current segments in order. */
    List<Segment> segments() {
        return List.copyOf(segments.values());
    }

    private void rewrite(BlockRange range, ChunkHandle handle, boolean adding) {
        List<Segment> old = overlapping(range.start(), range.end());
        long lo = old.isEmpty() ? range.start() : Math.min(range.start(), old.getFirst().start);
        long hi = old.isEmpty() ? range.end() : Math.max(range.end(), old.getLast().end);

        // Cut points: every old boundary plus the handle's own.
        long[] cuts = new long[old.size() * 2 + 2];
        int n = 0;
        for (Segment s : old) {
            cuts[n++] = s.start;
            cuts[n++] = s.end;
        }
        cuts[n++] = range.start();
        cuts[n++] = range.end();
        cuts = Arrays.stream(cuts, 0, n).sorted().distinct().toArray();

        List<Segment> fresh = new ArrayList<>();
        int oldIndex = 0;
        for (int i = 0; i + 1 < cuts.length; i++) {
            long start = cuts[i];
            long end = cuts[i + 1];
            while (oldIndex < old.size() && old.get(oldIndex).end <= start) {
                oldIndex++;
            }
            ChunkHandle[] covering = oldIndex < old.size() && old.get(oldIndex).start <= start
                    ? old.get(oldIndex).handles
                    : new ChunkHandle[0];
            boolean inRange = start >= range.start() && end <= range.end();
            ChunkHandle[] handles = adding && inRange ? with(covering, handle) : without(covering, handle);
            if (handles.length == 0) {
                continue;
            }
            Segment last = fresh.isEmpty() ? null : fresh.getLast();
            if (last != null && last.end == start && Arrays.equals(last.handles, handles)) {
                fresh.set(fresh.size() - 1, new Segment(last.start, end, handles));
            } else {
                fresh.add(new Segment(start, end, handles));
            }
        }
        assert fresh.stream().allMatch(s -> s.start >= lo && s.end <= hi);

        for (int i = fresh.size() - 1; i >= 0; i--) {
            Segment s = fresh.get(i);
            segments.put(s.start, s);
        }
        for (Segment s : old) {
            if (fresh.stream().noneMatch(f -> f.start == s.start)) {
                segments.remove(s.start, s);
            }
        }
    }

    /**
     * Segments intersecting {@code [start, end)}, plus the neighbours that touch it (so the rewrite can merge
     * them), in order.
     */
    private List<Segment> overlapping(long start, long end) {
        List<Segment> result = new ArrayList<>();
        Map.Entry<Long, Segment> before = segments.lowerEntry(start);
        long from = before != null && before.getValue().end >= start ? before.getKey() : start;
        NavigableMap<Long, Segment> tail = segments.subMap(from, true, end, true);
        result.addAll(tail.values());
        return result;
    }

    private static ChunkHandle[] with(ChunkHandle[] handles, ChunkHandle added) {
        for (ChunkHandle h : handles) {
            if (h == added) {
                return handles;
            }
        }
        ChunkHandle[] result = Arrays.copyOf(handles, handles.length + 1);
        result[handles.length] = added;
        Arrays.sort(result, NEWEST_FIRST);
        return result;
    }

    private static ChunkHandle[] without(ChunkHandle[] handles, ChunkHandle removed) {
        for (int i = 0; i < handles.length; i++) {
            if (handles[i] == removed) {
                ChunkHandle[] result = new ChunkHandle[handles.length - 1];
                System.arraycopy(handles, 0, result, 0, i);
                System.arraycopy(handles, i + 1, result, i, handles.length - i - 1);
                return result;
            }
        }
        return handles;
    }
}
