package dev.worker.mock;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The HTTP validators of synthetic files: a strong ETag per file derived from (seed, path, size), and one fixed
 * Last-Modified date derived from the seed, so a restarted storage with the same parameters validates the same.
 */
final class Validators {
    /** IMF-fixdate (RFC 9110 section 5.6.7), e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final long EPOCH_2020 = 1_577_836_800L;
    private static final long THREE_YEARS = 3 * 365 * 86_400L;

    private final Instant lastModified;
    private final String lastModifiedText;

    Validators(long seed) {
        long offset = Math.floorMod(Hashing.mix64(seed + Hashing.GAMMA), THREE_YEARS);
        this.lastModified = Instant.ofEpochSecond(EPOCH_2020 + offset);
        this.lastModifiedText = HTTP_DATE.format(lastModified);
    }

    /** A strong entity tag, quoted: {@code "<16 hex>"}. */
    String etag(long contentKey, long size) {
        return '"' + HexFormat.of().toHexDigits(Hashing.mix64(contentKey ^ Hashing.mix64(size + Hashing.GAMMA))) + '"';
    }

    Instant lastModified() {
        return lastModified;
    }

    String lastModifiedText() {
        return lastModifiedText;
    }

    /**
     * Whether an {@code If-Range} value lets a {@code Range} apply: a strong ETag equal to {@code etag}, or an HTTP
     * date equal to the Last-Modified date. Weak tags never match (RFC 9110 section 13.1.5).
     */
    boolean ifRangeMatches(String ifRange, String etag) {
        String value = ifRange.strip();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            return value.equals(etag);
        }
        try {
            return Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value)).equals(lastModified);
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
