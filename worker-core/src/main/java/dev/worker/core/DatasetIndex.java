package dev.worker.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

/**
 * The published chunks of one dataset, for {@code find(block)} in O(log n) without locks.
 *
 * <p>Chunks' ranges may overlap, so the index keeps the block axis cut into disjoint segments, each listing every
 * handle that covers it, newest first. A reader takes the segment with the greatest start &lt;= block and acquires
 * the first handle of it that is still published.
 *
 * <p>The segments live in an immutable {@link Table}: sorted leaves of at most {@code maxLeaf} segments, each a
 * {@code long[]} of (start, end) pairs beside the handles, under a sorted array of the leaves' first starts. A lookup
 * is two searches over contiguous longs, each end next to its start, each starting from a position interpolated from
 * the block number (a skip list chased a dozen scattered nodes, each a cache miss). Writers (one at a time, under
 * {@link #writeLock}, memory only) build a new table that shares every leaf they did not touch, so a write copies one
 * or two leaves plus the top arrays, and publish it with one volatile write. INVARIANT: {@link #table} is always a
 * complete, consistent index of the published chunks as of some write; a removed chunk's handle refuses new refs
 * before the write that removes it, so it is never returned.
 */
final class DatasetIndex {
    /** Disjoint {@code [start, end)} with the handles covering it, newest (highest seq) first. */
    record Segment(long start, long end, ChunkHandle[] handles) {
    }

    /** Small leaves touch few cache lines per lookup; a write copies the top arrays, n / 24 entries or so. */
    static final int DEFAULT_MAX_LEAF = 32;

    private static final Comparator<ChunkHandle> NEWEST_FIRST =
            Comparator.comparingLong(ChunkHandle::seq).reversed();

    /**
     * Consecutive segments; immutable once built. {@code covering[i]} is the segment's one {@link ChunkHandle}, or a
     * {@code ChunkHandle[]} (newest first) where chunks overlap.
     */
    private record Leaf(long[] bounds, Object[] covering) {
        int size() {
            return covering.length;
        }

        long start(int i) {
            return bounds[2 * i];
        }

        long end(int i) {
            return bounds[2 * i + 1];
        }

        Segment segment(int i) {
            Object c = covering[i];
            ChunkHandle[] handles = c instanceof ChunkHandle h ? new ChunkHandle[] {h} : (ChunkHandle[]) c;
            return new Segment(start(i), end(i), handles);
        }

        static Leaf of(List<Segment> segments, int from, int to) {
            int n = to - from;
            long[] bounds = new long[2 * n];
            Object[] covering = new Object[n];
            for (int i = 0; i < n; i++) {
                Segment s = segments.get(from + i);
                bounds[2 * i] = s.start;
                bounds[2 * i + 1] = s.end;
                covering[i] = s.handles.length == 1 ? s.handles[0] : s.handles;
            }
            return new Leaf(bounds, covering);
        }
    }

    /**
     * Every segment, in leaves; {@code firsts[i] == leaves[i].start(0)}, {@code end} is the last segment's end.
     * {@code bounds}, {@code covering} and {@code sizes} repeat each leaf's arrays and length so that a lookup goes
     * from the table straight to them: each memory load the lookup waits for before the next is a cache miss at
     * 100,000 chunks, and this saves two (the leaf object and an array's length). Immutable.
     */
    private record Table(long[] firsts, Leaf[] leaves, long[][] bounds, Object[][] covering, int[] sizes, long end) {
        static final Table EMPTY = of(new long[0], new Leaf[0]);

        static Table of(long[] firsts, Leaf[] leaves) {
            long[][] bounds = new long[leaves.length][];
            Object[][] covering = new Object[leaves.length][];
            int[] sizes = new int[leaves.length];
            for (int i = 0; i < leaves.length; i++) {
                bounds[i] = leaves[i].bounds;
                covering[i] = leaves[i].covering;
                sizes[i] = leaves[i].size();
            }
            long end = leaves.length == 0 ? 0 : leaves[leaves.length - 1].end(leaves[leaves.length - 1].size() - 1);
            return new Table(firsts, leaves, bounds, covering, sizes, end);
        }
    }

    private final int maxLeaf;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile Table table = Table.EMPTY;

    DatasetIndex() {
        this(DEFAULT_MAX_LEAF);
    }

    /** @param maxLeaf the most segments a leaf holds (tests use tiny leaves to exercise splits and merges) */
    DatasetIndex(int maxLeaf) {
        if (maxLeaf < 2) {
            throw new IllegalArgumentException("maxLeaf must be at least 2, got " + maxLeaf);
        }
        this.maxLeaf = maxLeaf;
    }

    /** The newest published chunk covering {@code block}, acquired; null when none. */
    ChunkHandle find(long block) {
        Table t = table;
        long[] firsts = t.firsts;
        if (firsts.length == 0 || block < firsts[0]) {
            return null;
        }
        int li = floorFrom(firsts, block, guess(block, firsts[0], t.end, firsts.length));
        long[] bounds = t.bounds[li];
        Object[] covering = t.covering[li];
        long leafEnd = li + 1 < firsts.length ? firsts[li + 1] : t.end;
        int size = t.sizes[li];
        int guess = guess(block, firsts[li], leafEnd, size);
        // Loaded before the search confirms the guess, so that both cache misses overlap; usually the guess holds.
        Object guessed = covering[guess];
        int si = segmentFloorFrom(bounds, size, block, guess);
        if (bounds[2 * si + 1] <= block) {
            return null;
        }
        Object c = si == guess ? guessed : covering[si];
        if (c instanceof ChunkHandle handle) {
            return handle.tryAcquire() ? handle : null;
        }
        for (ChunkHandle handle : (ChunkHandle[]) c) {
            if (handle.tryAcquire()) {
                return handle;
            }
        }
        return null;
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
        List<ChunkHandle> bySeq = sortedBy(handles, ChunkHandle::seq);
        List<ChunkHandle> sorted = sortedBy(bySeq, h -> h.descriptor().range().start()); // ties by publication order
        writeLock.lock();
        try {
            boolean disjoint = table.leaves.length == 0;
            for (int i = 1; disjoint && i < sorted.size(); i++) {
                disjoint = sorted.get(i).descriptor().range().start() >= sorted.get(i - 1).descriptor().range().end();
            }
            if (disjoint) {
                List<Segment> segments = new ArrayList<>(sorted.size());
                for (ChunkHandle h : sorted) {
                    BlockRange r = h.descriptor().range();
                    segments.add(new Segment(r.start(), r.end(), new ChunkHandle[] {h}));
                }
                table = assemble(Table.EMPTY, 0, -1, split(segments));
                return;
            }
            for (ChunkHandle h : bySeq) {
                rewrite(h.descriptor().range(), h, true);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** {@code handles} in ascending order of {@code key}, equal keys in their order; on primitives (see LongOrder). */
    private static List<ChunkHandle> sortedBy(List<ChunkHandle> handles, ToLongFunction<ChunkHandle> key) {
        long[] keys = new long[handles.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key.applyAsLong(handles.get(i));
        }
        List<ChunkHandle> sorted = new ArrayList<>(keys.length);
        for (int i : LongOrder.ascending(keys)) {
            sorted.add(handles.get(i));
        }
        return sorted;
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
        return table.leaves.length == 0;
    }

    /** For tests: the current segments in order. */
    List<Segment> segments() {
        List<Segment> all = new ArrayList<>();
        for (Leaf leaf : table.leaves) {
            for (int i = 0; i < leaf.size(); i++) {
                all.add(leaf.segment(i));
            }
        }
        return all;
    }

    /** For tests: how many segments each leaf holds. */
    int[] leafSizes() {
        return Arrays.stream(table.leaves).mapToInt(Leaf::size).toArray();
    }

    private void rewrite(BlockRange range, ChunkHandle handle, boolean adding) {
        Table t = table;
        Leaf[] leaves = t.leaves;
        int n = leaves.length;
        // (li, si): the first segment that ends at or after range.start (touching neighbours merge), or where the
        // range goes when nothing does. li == n means after the last leaf.
        int li = 0;
        int si = 0;
        long before = range.start() - 1; // the segment starting just before the range may touch it
        int fl = floor(t.firsts, before);
        if (fl >= 0) {
            Leaf leaf = leaves[fl];
            li = fl;
            si = segmentFloorFrom(leaf.bounds, leaf.size(), before, 0); // firsts[fl] <= before
            if (leaf.end(si) < range.start()) {
                si++;
            }
            if (si == leaf.size()) {
                li++;
                si = 0;
            }
        }
        // The old segments: from (li, si) while they start at or before range.end; (lj, sj) ends up just past them.
        List<Segment> old = new ArrayList<>();
        int lj = li;
        int sj = si;
        while (lj < n) {
            Leaf leaf = leaves[lj];
            if (sj == leaf.size()) {
                lj++;
                sj = 0;
                continue;
            }
            if (leaf.start(sj) > range.end()) {
                break;
            }
            old.add(leaf.segment(sj++));
        }
        List<Segment> fresh = recut(old, range, handle, adding);

        // The leaves [first, last] are rebuilt from their untouched prefix, the fresh segments and their untouched
        // suffix; every other leaf is shared with the old table.
        if (n == 0) {
            table = assemble(t, 0, -1, split(fresh));
            return;
        }
        int first = Math.min(li, n - 1);
        int last = lj == n || (sj == 0 && lj > first) ? Math.min(lj, n) - 1 : lj;
        List<Segment> combined = new ArrayList<>();
        Leaf head = leaves[first];
        for (int i = 0, to = li < n ? si : head.size(); i < to; i++) {
            combined.add(head.segment(i));
        }
        combined.addAll(fresh);
        if (lj < n && last == lj) {
            Leaf tail = leaves[lj];
            for (int i = sj; i < tail.size(); i++) {
                combined.add(tail.segment(i));
            }
        }
        // Keep leaves from shrinking away: a small remainder takes its right (else left) neighbour along.
        if (combined.size() < maxLeaf / 2 && last + 1 < n) {
            last++;
            Leaf next = leaves[last];
            for (int i = 0; i < next.size(); i++) {
                combined.add(next.segment(i));
            }
        } else if (combined.size() < maxLeaf / 2 && first > 0) {
            first--;
            Leaf previous = leaves[first];
            List<Segment> merged = new ArrayList<>(previous.size() + combined.size());
            for (int i = 0; i < previous.size(); i++) {
                merged.add(previous.segment(i));
            }
            merged.addAll(combined);
            combined = merged;
        }
        table = assemble(t, first, last, split(combined));
    }

    /** The segments replacing {@code old} once {@code handle} is added to or removed from {@code range}. */
    private static List<Segment> recut(List<Segment> old, BlockRange range, ChunkHandle handle, boolean adding) {
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
        return fresh;
    }

    /** Cuts sorted segments into leaves about three quarters full (none when there are no segments). */
    private List<Leaf> split(List<Segment> segments) {
        int size = segments.size();
        if (size == 0) {
            return List.of();
        }
        int target = Math.max(1, maxLeaf - maxLeaf / 4);
        int count = size <= maxLeaf ? 1 : (size + target - 1) / target;
        List<Leaf> leaves = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            leaves.add(Leaf.of(segments, (int) ((long) size * i / count), (int) ((long) size * (i + 1) / count)));
        }
        return leaves;
    }

    /** {@code t} with its leaves {@code [first, last]} replaced by {@code middle}. */
    private static Table assemble(Table t, int first, int last, List<Leaf> middle) {
        int n = t.leaves.length;
        int size = first + middle.size() + (n - last - 1);
        Leaf[] leaves = new Leaf[size];
        System.arraycopy(t.leaves, 0, leaves, 0, first);
        for (int i = 0; i < middle.size(); i++) {
            leaves[first + i] = middle.get(i);
        }
        System.arraycopy(t.leaves, last + 1, leaves, first + middle.size(), n - last - 1);
        long[] firsts = new long[size];
        for (int i = 0; i < size; i++) {
            firsts[i] = leaves[i].start(0);
        }
        return Table.of(firsts, leaves);
    }

    /**
     * Where {@code block} would be among {@code n} segments spanning {@code [first, end)} if they were all as long:
     * chunks next to each other tend to cover similar numbers of blocks, so this usually lands on the right segment
     * or next to it, and a lookup reads one cache line of the leaf instead of the four or so a binary search visits.
     */
    private static int guess(long block, long first, long end, int n) {
        int g = (int) ((double) (block - first) / (double) (end - first) * n);
        return Math.min(Math.max(g, 0), n - 1);
    }

    /**
     * The index of the greatest element &lt;= key in sorted distinct {@code a}, galloping out from {@code from} and
     * then bisecting: O(log d) steps for a guess d places off. {@code a[0]} must be &lt;= key.
     */
    private static int floorFrom(long[] a, long key, int from) {
        int lo; // a[lo] <= key
        int hi; // a[hi] > key, or hi == a.length
        if (a[from] <= key) {
            lo = from;
            int step = 1;
            while (lo + step < a.length && a[lo + step] <= key) {
                lo += step;
                step <<= 1;
            }
            hi = Math.min(lo + step, a.length);
        } else {
            hi = from;
            int step = 1;
            while (hi - step > 0 && a[hi - step] > key) {
                hi -= step;
                step <<= 1;
            }
            lo = Math.max(hi - step, 0);
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= key) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The last segment of a leaf's {@code bounds} starting at or before {@code key}, found by walking from
     * {@code from}; at most a leaf's length of steps over contiguous memory. The leaf's first start must be
     * &lt;= key.
     */
    private static int segmentFloorFrom(long[] bounds, int n, long key, int from) {
        int i = from;
        if (bounds[2 * i] <= key) {
            while (i + 1 < n && bounds[2 * (i + 1)] <= key) {
                i++;
            }
        } else {
            do {
                i--;
            } while (bounds[2 * i] > key);
        }
        return i;
    }

    /** The index of the greatest element &lt;= key in sorted distinct {@code a}, or -1. */
    private static int floor(long[] a, long key) {
        return a.length == 0 || key < a[0] ? -1 : floorFrom(a, key, a.length / 2);
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
