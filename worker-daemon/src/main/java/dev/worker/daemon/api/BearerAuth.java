package dev.worker.daemon.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Bearer-token check. Both tokens are hashed before a constant-time comparison, so neither the content nor the
 * length of the expected token leaks through timing.
 */
public final class BearerAuth {
    private static final String PREFIX = "Bearer ";
    private final Optional<byte[]> expectedHash;

    private BearerAuth(Optional<byte[]> expectedHash) {
        this.expectedHash = expectedHash;
    }

    /** No token configured: every request passes. */
    public static BearerAuth none() {
        return new BearerAuth(Optional.empty());
    }

    /** Requests need {@code Authorization: Bearer <token>}. */
    public static BearerAuth of(String token) {
        if (token.isBlank()) {
            throw new IllegalArgumentException("the token is empty");
        }
        return new BearerAuth(Optional.of(sha256(token)));
    }

    public boolean enabled() {
        return expectedHash.isPresent();
    }

    /** Whether an {@code Authorization} header value (possibly null) carries the token. */
    public boolean permits(String authorization) {
        if (expectedHash.isEmpty()) {
            return true;
        }
        if (authorization == null || authorization.length() <= PREFIX.length()
                || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        String given = authorization.substring(PREFIX.length()).strip();
        return MessageDigest.isEqual(expectedHash.get(), sha256(given));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
