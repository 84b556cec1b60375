package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileSource;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How file sources are reached: the {@link SourcePolicy} every connection passes, the headers some hosts get
 * ({@link SourceHeaders}) and, for {@code s3://} sources, the store's settings and SigV4 signing. The download engine
 * asks it for each request it sends (each attempt, each resume, each redirect hop), so rotated credentials and
 * rewritten header files are used by the next request. Immutable and thread-safe.
 */
public final class Sources {
    private static final Sources DEFAULTS = new Sources(SourcePolicy.defaults(), Optional.empty(), Optional.empty(),
            Clock.systemUTC());

    private final SourcePolicy policy;
    private final Optional<SourceHeaders> headers;
    private final Optional<S3Settings> s3;
    private final S3Signer signer;

    /**
     * @param clock the wall clock requests are signed at (a store refuses a signature more than 15 minutes off)
     */
    public Sources(SourcePolicy policy, Optional<SourceHeaders> headers, Optional<S3Settings> s3, Clock clock) {
        this.policy = requireNonNull(policy, "policy");
        this.headers = requireNonNull(headers, "headers");
        this.s3 = requireNonNull(s3, "s3");
        this.signer = new S3Signer(requireNonNull(clock, "clock"));
    }

    /** The built-in policy, no headers, no S3 settings. */
    public static Sources defaults() {
        return DEFAULTS;
    }

    public SourcePolicy policy() {
        return policy;
    }

    public Optional<S3Settings> s3() {
        return s3;
    }

    /**
     * Checks that every file of {@code descriptor} can be fetched with this configuration (an {@code s3://} source
     * needs S3 settings with a region).
     *
     * @throws IllegalArgumentException naming the file and saying what is missing
     */
    public void checkUsable(ChunkDescriptor descriptor) {
        for (Map.Entry<String, FileSource> file : descriptor.files().entrySet()) {
            if (!isS3(file.getValue())) {
                continue;
            }
            try {
                s3Settings().checkUsable();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("file " + file.getKey() + " (" + file.getValue().url() + "): "
                        + e.getMessage(), e);
            }
        }
    }

    /** Whether requests for {@code source} are SigV4-signed. */
    public static boolean isS3(FileSource source) {
        return S3Location.isS3(source.url());
    }

    /**
     * The URL the first request for {@code source} goes to: the source itself, or an {@code s3://} object's URL at
     * its store.
     *
     * @throws IllegalArgumentException when an {@code s3://} source has no usable settings
     */
    public URI firstHop(FileSource source) {
        if (!isS3(source)) {
            return source.uri();
        }
        S3Settings settings = s3Settings();
        settings.checkUsable();
        return settings.objectUri(S3Location.parse(source.url()));
    }

    /**
     * The headers to send with a GET of {@code hop} for {@code source} besides {@code own} (the transfer's own, such
     * as {@code Range}): the configured headers of {@code hop}'s host, or, for an {@code s3://} source, the SigV4
     * signature over {@code own}, made now with the credentials as they are now.
     *
     * @throws IOException when the credentials cannot be read
     */
    public List<Map.Entry<String, String>> headers(FileSource source, URI hop, List<Map.Entry<String, String>> own)
            throws IOException {
        if (isS3(source)) {
            S3Settings settings = s3Settings();
            return signer.sign("GET", hop, own, settings.credentials().current(), settings.region().orElseThrow());
        }
        if (headers.isEmpty() || hop.getHost() == null) {
            return List.of();
        }
        return new ArrayList<>(headers.get().forHost(hop.getHost()).entrySet());
    }

    private S3Settings s3Settings() {
        return s3.orElseThrow(() -> new IllegalArgumentException("s3:// sources are not configured: set a region "
                + "(--s3-region or AWS_REGION) and credentials"));
    }

    @Override
    public String toString() {
        return "Sources[policy=" + policy + ", headers=" + headers.isPresent() + ", s3=" + s3.isPresent() + "]";
    }
}
