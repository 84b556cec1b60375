package dev.worker.mock;

import dev.worker.core.Bytes32;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The hash functions everything synthetic is derived from. */
final class Hashing {
    /** The golden-ratio increment of SplitMix64. */
    static final long GAMMA = 0x9E3779B97F4A7C15L;

    private Hashing() {
    }

    static Bytes32 sha256(String text) {
        return Bytes32.fromBytes(newSha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-256", e);
        }
    }

    /** SplitMix64's output function: a bijective mix of all 64 bits. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
