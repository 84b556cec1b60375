package dev.worker.mock;

import static java.util.Objects.requireNonNull;

import dev.worker.core.Bytes32;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;

/**
 * The bytes of every synthetic file. The byte at offset {@code o} of the file at {@code path} is a pure function of
 * {@code (seed, path, o)}, so any range is produced without its prefix and a terabyte-sized set needs no disk.
 *
 * <p>How: a table of 8,192 pseudo-random 64-bit words (64 KiB) is drawn from the seed with SplitMix64. A file's key is
 * the first 8 bytes of SHA-256({@code "content/<seed>/<path>"}); its 64 KiB block {@code b} is the table XORed with
 * SplitMix64's output for the state {@code key + (b + 1) * GAMMA}, stored little-endian. So every block of every file
 * differs, a misplaced or shifted byte changes the file's SHA-256, and generating costs about a memory copy (one XOR
 * per 8 bytes) rather than a hash per word: the storage leaves the CPU to whatever it is testing.
 * Thread-safe; creating one costs a 64 KiB table, so share it.
 */
public final class ContentGenerator {
    private static final int DIGEST_BUFFER = 256 * 1024;
    private static final int TABLE_BITS = 13;
    private static final int TABLE_WORDS = 1 << TABLE_BITS;
    private static final int TABLE_MASK = TABLE_WORDS - 1;

    private final long seed;
    private final long[] table = new long[TABLE_WORDS];

    public ContentGenerator(long seed) {
        this.seed = seed;
        long tableKey = Hashing.sha256("table/" + seed).w0();
        for (int j = 0; j < TABLE_WORDS; j++) {
            table[j] = Hashing.mix64(tableKey + (j + 1) * Hashing.GAMMA);
        }
    }

    public long seed() {
        return seed;
    }

    /** The 64-bit key of the file at {@code path}; callers producing many ranges of one file compute it once. */
    public long key(String path) {
        requireNonNull(path, "path");
        return Hashing.sha256("content/" + seed + "/" + path).w0();
    }

    /** Fills {@code dst} from its position to its limit with the file's bytes from {@code offset} on. */
    public void fill(String path, long offset, ByteBuffer dst) {
        fill(key(path), offset, dst);
    }

    /**
     * Fills {@code dst} from its position to its limit with the bytes of the file with {@code key}, starting at file
     * offset {@code offset}, and advances its position to the limit.
     */
    public void fill(long key, long offset, ByteBuffer dst) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        int n = dst.remaining();
        ByteBuffer out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int at = out.position();
        int end = at + n;
        long pos = offset;
        int misaligned = (int) (pos & 7);
        if (misaligned != 0) {
            long word = word(key, pos >>> 3) >>> (misaligned * 8);
            int head = Math.min(8 - misaligned, n);
            for (int k = 0; k < head; k++) {
                out.put(at++, (byte) word);
                word >>>= 8;
            }
            pos += head;
        }
        long index = pos >>> 3;
        while (end - at >= 8) {
            long mask = blockMask(key, index >>> TABLE_BITS);
            int first = (int) (index & TABLE_MASK);
            int words = Math.min(TABLE_WORDS - first, (end - at) >>> 3);
            for (int k = first; k < first + words; k++) {
                out.putLong(at, table[k] ^ mask);
                at += 8;
            }
            index += words;
        }
        if (at < end) {
            long word = word(key, index);
            while (at < end) {
                out.put(at++, (byte) word);
                word >>>= 8;
            }
        }
        dst.position(dst.position() + n);
    }

    public byte byteAt(String path, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        return (byte) (word(key(path), offset >>> 3) >>> ((offset & 7) * 8));
    }

    /** The {@code length} bytes of the file at {@code path} from {@code offset} on. */
    public byte[] bytes(String path, long offset, int length) {
        byte[] bytes = new byte[length];
        fill(path, offset, ByteBuffer.wrap(bytes));
        return bytes;
    }

    /**
     * The offset of the first byte of {@code actual} (from its position to its limit, taken as the file's bytes from
     * {@code offset} on) that differs from the file's content, or -1 when all match. Leaves {@code actual} unchanged.
     */
    public long firstMismatch(String path, long offset, ByteBuffer actual) {
        ByteBuffer in = actual.duplicate();
        long key = key(path);
        ByteBuffer expected = ByteBuffer.allocate(Math.min(DIGEST_BUFFER, Math.max(1, in.remaining())));
        long pos = offset;
        while (in.hasRemaining()) {
            int n = Math.min(expected.capacity(), in.remaining());
            expected.clear().limit(n);
            fill(key, pos, expected);
            expected.flip();
            ByteBuffer slice = in.slice(in.position(), n);
            int mismatch = slice.mismatch(expected);
            if (mismatch >= 0) {
                return pos + mismatch;
            }
            in.position(in.position() + n);
            pos += n;
        }
        return -1;
    }

    /**
     * The SHA-256 of the first {@code size} bytes of the file at {@code path}. Runs at the speed of SHA-256 (about
     * 1 GB/s per core); checks for interrupts between blocks.
     *
     * @throws IllegalStateException wrapping an {@link InterruptedException} when the thread is interrupted
     */
    public Bytes32 sha256(String path, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        long key = key(path);
        MessageDigest digest = Hashing.newSha256();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(DIGEST_BUFFER, Math.max(8, size)));
        long pos = 0;
        while (pos < size) {
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while hashing " + path, new InterruptedException());
            }
            int n = (int) Math.min(buffer.capacity(), size - pos);
            buffer.clear().limit(n);
            fill(key, pos, buffer);
            buffer.flip();
            digest.update(buffer);
            pos += n;
        }
        return Bytes32.fromBytes(digest.digest());
    }

    private long word(long key, long index) {
        return table[(int) (index & TABLE_MASK)] ^ blockMask(key, index >>> TABLE_BITS);
    }

    private static long blockMask(long key, long block) {
        return Hashing.mix64(key + (block + 1) * Hashing.GAMMA);
    }
}
