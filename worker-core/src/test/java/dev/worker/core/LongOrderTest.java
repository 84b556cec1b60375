package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class LongOrderTest {
    @Test
    void ordersLikeAStableSortOfTheKeys() {
        SplittableRandom random = new SplittableRandom(20261123);
        for (int n : new int[] {0, 1, 2, 3, 7, 64, 1000, 4097}) {
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                // Few distinct values, so that ties are common; extremes included.
                keys[i] = switch (random.nextInt(10)) {
                    case 0 -> Long.MIN_VALUE;
                    case 1 -> Long.MAX_VALUE;
                    default -> random.nextInt(50) - 25;
                };
            }
            int[] expected = IntStream.range(0, n).boxed().sorted(Comparator.comparingLong(i -> keys[i]))
                    .mapToInt(Integer::intValue).toArray(); // Stream.sorted is stable for ordered streams

            assertThat(LongOrder.ascending(keys)).as("n=%d", n).containsExactly(expected);
        }
    }

    @Test
    void leavesTheKeysAlone() {
        long[] keys = {3, 1, 2};

        assertThat(LongOrder.ascending(keys)).containsExactly(1, 2, 0);
        assertThat(keys).containsExactly(3, 1, 2);
        assertThat(Arrays.stream(LongOrder.ascending(new long[] {5, 5, 5}))).containsExactly(0, 1, 2);
    }
}
