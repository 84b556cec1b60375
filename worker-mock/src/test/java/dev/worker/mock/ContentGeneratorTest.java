package dev.worker.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.Bytes32;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class ContentGeneratorTest {
    private static final String PATH = "/ab/0000001000-12345678/blocks.parquet";

    @Test
    void fill_sameSeedPathAndOffset_givesSameBytes() {
        byte[] a = new ContentGenerator(7).bytes(PATH, 12_345, 4096);
        byte[] b = new ContentGenerator(7).bytes(PATH, 12_345, 4096);
        assertThat(a).isEqualTo(b);
    }

    @Test
    void fill_anySubRange_equalsSliceOfWholeFile() {
        ContentGenerator content = new ContentGenerator(7);
        byte[] whole = content.bytes(PATH, 0, 10_000);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 500; i++) {
            int from = random.nextInt(whole.length);
            int length = random.nextInt(whole.length - from + 1);
            assertThat(content.bytes(PATH, from, length))
                    .as("bytes %d..%d", from, from + length)
                    .isEqualTo(Arrays.copyOfRange(whole, from, from + length));
        }
    }

    @Test
    void fill_intoDirectBufferAtAnyPosition_equalsHeapBytes() {
        ContentGenerator content = new ContentGenerator(7);
        byte[] expected = content.bytes(PATH, 3, 1000);
        ByteBuffer direct = ByteBuffer.allocateDirect(1100);
        direct.position(37).limit(1037);
        content.fill(PATH, 3, direct);
        assertThat(direct.position()).isEqualTo(1037);
        byte[] actual = new byte[1000];
        direct.get(37, actual);
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void byteAt_matchesFill() {
        ContentGenerator content = new ContentGenerator(7);
        byte[] bytes = content.bytes(PATH, 0, 64);
        for (int i = 0; i < bytes.length; i++) {
            assertThat(content.byteAt(PATH, i)).isEqualTo(bytes[i]);
        }
    }

    @Test
    void fill_differentSeedsOrPaths_giveDifferentBytes() {
        byte[] base = new ContentGenerator(7).bytes(PATH, 0, 256);
        assertThat(new ContentGenerator(8).bytes(PATH, 0, 256)).isNotEqualTo(base);
        assertThat(new ContentGenerator(7).bytes(PATH + "x", 0, 256)).isNotEqualTo(base);
    }

    @Test
    void sha256_equalsDigestOfTheGeneratedBytes() throws Exception {
        ContentGenerator content = new ContentGenerator(3);
        int size = 700_001;
        byte[] bytes = content.bytes(PATH, 0, size);
        Bytes32 expected = Bytes32.fromBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertThat(content.sha256(PATH, size)).isEqualTo(expected);
    }

    @Test
    void firstMismatch_findsTheFirstWrongByte_orMinusOne() {
        ContentGenerator content = new ContentGenerator(3);
        byte[] bytes = content.bytes(PATH, 1000, 300_000);
        assertThat(content.firstMismatch(PATH, 1000, ByteBuffer.wrap(bytes))).isEqualTo(-1);
        bytes[280_000] ^= 1;
        assertThat(content.firstMismatch(PATH, 1000, ByteBuffer.wrap(bytes))).isEqualTo(281_000);
    }

    @Test
    void fill_negativeOffset_isRejected() {
        assertThatThrownBy(() -> new ContentGenerator(1).fill(PATH, -1, ByteBuffer.allocate(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset");
    }
}
