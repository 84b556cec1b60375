package dev.worker.core;

import static java.util.Objects.requireNonNull;

import dev.worker.core.source.S3Location;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where one file of a chunk comes from: an absolute http(s) URL or an {@code s3://bucket/key} object, with the
 * size and SHA-256 the file is expected to have when those are known. A value class (equality by value); kept
 * compact because a worker holds one per file of every chunk it knows.
 */
public final class FileSource {
    // The URL is base + tail. Usually tail is null and base the whole URL; the files of one chunk whose URLs are
    // one prefix plus their names share that prefix (one String per chunk) and use the name itself as the tail.
    private final String base;
    private final String tail;
    private final long size; // -1: not declared
    private final Bytes32 sha256; // null: not declared

    public FileSource(String url, OptionalLong size, Optional<Bytes32> sha256) {
        requireNonNull(url, "url");
        requireNonNull(size, "size");
        requireNonNull(sha256, "sha256");
        checkUrl(url);
        if (size.isPresent() && size.getAsLong() < 0) {
            throw new IllegalArgumentException("file size must be >= 0, got " + size.getAsLong() + " for " + url);
        }
        this.base = url;
        this.tail = null;
        this.size = size.orElse(-1);
        this.sha256 = sha256.orElse(null);
    }

    /** Trusted: the URL {@code base + tail} (tail may be null) was validated before; size -1 and null sha: none. */
    FileSource(String base, String tail, long size, Bytes32 sha256) {
        this.base = base;
        this.tail = tail;
        this.size = size;
        this.sha256 = sha256;
    }

    /**
     * This source with its URL held as {@code prefix + name}, sharing both strings, when the URL is exactly that;
     * else this source. (Memory: a worker holds one per file of every chunk.)
     */
    FileSource sharing(String prefix, String name) {
        int length = tail == null ? base.length() : base.length() + tail.length();
        if (length != prefix.length() + name.length()) {
            return this;
        }
        String url = url();
        return url.startsWith(prefix) && url.endsWith(name) ? new FileSource(prefix, name, size, sha256) : this;
    }

    public static FileSource of(String url) {
        return new FileSource(url, OptionalLong.empty(), Optional.empty());
    }

    public static FileSource of(String url, long size, Bytes32 sha256) {
        return new FileSource(url, OptionalLong.of(size), Optional.of(sha256));
    }

    /** The prefix this URL shares as {@code prefix + name} (see {@link #sharing}), or null. */
    String sharedPrefix(String name) {
        return tail != null && tail.equals(name) ? base : null;
    }

    /** True when both URLs are held as one shared prefix String plus a name (see {@link #sharing}). */
    boolean sharesUrlPrefixWith(FileSource other) {
        return tail != null && other.tail != null && base == other.base;
    }

    public String url() {
        return tail == null ? base : base.concat(tail);
    }

    public OptionalLong size() {
        return size < 0 ? OptionalLong.empty() : OptionalLong.of(size);
    }

    public Optional<Bytes32> sha256() {
        return Optional.ofNullable(sha256);
    }

    public URI uri() {
        return URI.create(url());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileSource other && size == other.size && Objects.equals(sha256, other.sha256)
                && url().equals(other.url());
    }

    @Override
    public int hashCode() {
        return Objects.hash(url(), size, sha256);
    }

    @Override
    public String toString() {
        return "FileSource[url=" + url() + ", size=" + size() + ", sha256=" + sha256() + "]";
    }
    private static void checkUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("file url is not a valid URI: '" + Bytes32.abbreviate(url) + "': "
                    + e.getReason(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals(S3Location.SCHEME)) {
            S3Location.parse(url); // says what is wrong: no bucket, no key, a query...
            return;
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("file url must use http, https or s3, got '" + Bytes32.abbreviate(url)
                    + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("file url has no host: '" + Bytes32.abbreviate(url) + "'");
        }
        // java.net.URI takes any digits as a port; a port no socket can have would be retried forever.
        if (uri.getPort() == 0 || uri.getPort() > 65_535) {
            throw new IllegalArgumentException("file url has port " + uri.getPort() + ", outside 1..65535: '"
                    + Bytes32.abbreviate(url) + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("file url must not carry credentials: '" + uri.getHost() + "'");
        }
    }
}
