package dev.worker.core;

/**
 * The stable ascending order of a {@code long[]} as a permutation of its indices. Startup sorts tens of thousands of
 * chunks by a number (completion time, first block); doing it on primitives in one loop-heavy method costs a few
 * milliseconds where a comparator chain, still interpreted in a freshly started JVM, cost tens.
 */
final class LongOrder {
    private LongOrder() {
    }

    /** Indices of {@code keys} in ascending key order; equal keys keep their index order. */
    static int[] ascending(long[] keys) {
        int n = keys.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int[] scratch = new int[n];
        // Bottom-up merge sort: runs of width 1, 2, 4, ... merged from order into scratch, then swapped.
        for (int width = 1; width < n; width <<= 1) {
            for (int lo = 0; lo < n; lo += width << 1) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + (width << 1), n);
                int a = lo;
                int b = mid;
                int out = lo;
                while (a < mid && b < hi) {
                    // <= keeps equal keys in index order (the left run holds the smaller indices)
                    scratch[out++] = keys[order[a]] <= keys[order[b]] ? order[a++] : order[b++];
                }
                while (a < mid) {
                    scratch[out++] = order[a++];
                }
                while (b < hi) {
                    scratch[out++] = order[b++];
                }
            }
            int[] swap = order;
            order = scratch;
            scratch = swap;
        }
        return order;
    }
}
