package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An object in an S3-compatible store, written {@code s3://bucket/key}. The URL is a URI: characters outside the URI
 * syntax are percent-encoded, and the key is its path decoded, without the leading slash ({@code s3://b/a%20b.parquet}
 * is the key {@code a b.parquet}).
 */
public record S3Location(String bucket, String key) {
    public static final String SCHEME = "s3";

    public S3Location {
        requireNonNull(bucket, "bucket");
        requireNonNull(key, "key");
        checkBucket(bucket);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("s3 url has no object key: 's3://" + bucket + "/'");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > 1024) {
            throw new IllegalArgumentException("s3 object key is longer than 1024 bytes in bucket " + bucket);
        }
    }

    /** Whether {@code url} has the {@code s3} scheme (not whether it is valid). */
    public static boolean isS3(String url) {
        return url.regionMatches(true, 0, SCHEME + ":", 0, SCHEME.length() + 1);
    }

    /**
     * Parses {@code s3://bucket/key}.
     *
     * @throws IllegalArgumentException saying what is missing or wrong (no bucket, no key, a query, ...)
     */
    public static S3Location parse(String url) {
        requireNonNull(url, "url");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("s3 url is not a valid URI: '" + abbreviate(url) + "': " + e.getReason(),
                    e);
        }
        if (!SCHEME.equals(uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("not an s3 url: '" + abbreviate(url) + "'");
        }
        String bucket = uri.getRawAuthority();
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("s3 url has no bucket: '" + abbreviate(url)
                    + "' (expected s3://bucket/key)");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("s3 url must not have a query or fragment: '" + abbreviate(url) + "'");
        }
        String path = uri.getPath();
        if (path == null || path.length() <= 1) {
            throw new IllegalArgumentException("s3 url has no object key: '" + abbreviate(url) + "' (expected s3://"
                    + bucket + "/key)");
        }
        return new S3Location(bucket, path.substring(1));
    }

    /** The URL form, {@code s3://bucket/key} with the key percent-encoded as needed. */
    public String url() {
        return SCHEME + "://" + bucket + "/" + encodeKey(key);
    }

    /**
     * The key as a URI path (without the leading slash): every byte outside RFC 3986's unreserved set, except
     * {@code /}, percent-encoded, which is also how SigV4 wants an S3 path (encoded once).
     */
    public static String encodeKey(String key) {
        StringBuilder out = new StringBuilder(key.length() + 8);
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return url();
    }

    /** S3's bucket rules, loosened to what S3-compatible stores also accept (dots, hyphens, 3 to 63 characters). */
    private static void checkBucket(String bucket) {
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("'" + abbreviate(bucket) + "' is not a valid bucket name (3 to 63 "
                    + "lowercase letters, digits, dots and hyphens)");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
