package dev.worker.core;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * 32 bytes held as four longs (big-endian order), written as 64 lowercase hex characters.
 * Ids and digests are kept in this form: 48 bytes on the heap instead of ~120 for a hex string.
 */
public record Bytes32(long w0, long w1, long w2, long w3) implements Comparable<Bytes32> {
    public static final int HEX_LENGTH = 64;

    /**
     * Parses 64 hex characters, case-insensitive.
     *
     * @throws IllegalArgumentException naming what was wrong, with {@code what} as the subject of the message
     */
    public static Bytes32 parseHex(String what, String hex) {
        if (hex == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        if (hex.length() != HEX_LENGTH) {
            throw new IllegalArgumentException(
                    what + " must be " + HEX_LENGTH + " hex characters, got " + hex.length() + ": '"
                            + abbreviate(hex) + "'");
        }
        long[] words = new long[4];
        for (int i = 0; i < HEX_LENGTH; i++) {
            int digit = Character.digit(hex.charAt(i), 16);
            if (digit < 0) {
                throw new IllegalArgumentException(
                        what + " has a non-hex character at position " + i + ": '" + abbreviate(hex) + "'");
            }
            words[i >> 4] = (words[i >> 4] << 4) | digit;
        }
        return new Bytes32(words[0], words[1], words[2], words[3]);
    }

    public static Bytes32 fromBytes(byte[] bytes) {
        if (bytes.length != 32) {
            throw new IllegalArgumentException("need 32 bytes, got " + bytes.length);
        }
        long[] words = new long[4];
        for (int i = 0; i < 32; i++) {
            words[i >> 3] = (words[i >> 3] << 8) | (bytes[i] & 0xFF);
        }
        return new Bytes32(words[0], words[1], words[2], words[3]);
    }

    /** Reads the 32 bytes at {@code in}'s position (big-endian, as {@link #writeTo} writes them). */
    public static Bytes32 read(ByteBuffer in) {
        return new Bytes32(in.getLong(), in.getLong(), in.getLong(), in.getLong());
    }

    /** Writes the 32 bytes, big-endian. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(w0);
        out.writeLong(w1);
        out.writeLong(w2);
        out.writeLong(w3);
    }

    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    public String toHex() {
        // Latin-1 bytes straight into the string: ids are printed often (paths, JSON), and a char[] would be
        // compressed again by String.
        byte[] out = new byte[HEX_LENGTH];
        hexInto(w0, out, 0);
        hexInto(w1, out, 16);
        hexInto(w2, out, 32);
        hexInto(w3, out, 48);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    private static void hexInto(long word, byte[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = DIGITS[(int) word & 0xF];
            word >>>= 4;
        }
    }

    @Override
    public int compareTo(Bytes32 other) {
        int c = Long.compareUnsigned(w0, other.w0);
        if (c == 0) {
            c = Long.compareUnsigned(w1, other.w1);
        }
        if (c == 0) {
            c = Long.compareUnsigned(w2, other.w2);
        }
        if (c == 0) {
            c = Long.compareUnsigned(w3, other.w3);
        }
        return c;
    }

    // equals and hashCode written out: a record's generated ones run through method handles, which a freshly started
    // JVM interprets slowly, and these are hashed and compared tens of thousands of times at startup.
    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes32 b && w0 == b.w0 && w1 == b.w1 && w2 == b.w2 && w3 == b.w3;
    }

    @Override
    public int hashCode() {
        return ((Long.hashCode(w0) * 31 + Long.hashCode(w1)) * 31 + Long.hashCode(w2)) * 31 + Long.hashCode(w3);
    }

    @Override
    public String toString() {
        return toHex();
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
