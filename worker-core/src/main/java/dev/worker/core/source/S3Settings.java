package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code s3://} sources are fetched from and with which credentials, found by the AWS conventions (see
 * {@link #resolve}). With an endpoint (R2, MinIO, Ceph RGW, ...) objects are addressed path-style,
 * {@code <endpoint>/<bucket>/<key>}; without one, AWS's virtual-hosted style,
 * {@code https://<bucket>.s3.<region>.amazonaws.com/<key>} (path-style for buckets with dots, whose names break the
 * TLS certificate's wildcard).
 *
 * @param endpoint    the store's base URL, when not AWS
 * @param region      the signing region; without one, S3 sources are refused
 * @param credentials where the keys come from, asked anew for every request
 */
public record S3Settings(Optional<URI> endpoint, Optional<String> region, S3CredentialSource credentials) {
    /** What the command line said; each empty value falls back to the environment, then to the profile. */
    public record Options(Optional<String> endpoint, Optional<String> region, Optional<String> profile) {
        public Options {
            requireNonNull(endpoint, "endpoint");
            requireNonNull(region, "region");
            requireNonNull(profile, "profile");
        }

        public static Options none() {
            return new Options(Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    public S3Settings {
        requireNonNull(endpoint, "endpoint");
        requireNonNull(region, "region");
        requireNonNull(credentials, "credentials");
        region.ifPresent(S3Settings::checkRegion);
        endpoint.ifPresent(S3Settings::checkEndpoint);
    }

    /**
     * Resolves the settings: the profile is {@code options.profile}, else {@code AWS_PROFILE}, else {@code default};
     * the region {@code options.region}, else {@code AWS_REGION} or {@code AWS_DEFAULT_REGION}, else the profile's
     * {@code region}; the endpoint {@code options.endpoint}, else {@code AWS_ENDPOINT_URL_S3}, else
     * {@code AWS_ENDPOINT_URL}, else the profile's {@code s3 = endpoint_url} or {@code endpoint_url}. Credentials
     * come from {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY} / {@code AWS_SESSION_TOKEN} unless a
     * profile was named on the command line, else from the profile in {@code AWS_SHARED_CREDENTIALS_FILE}
     * ({@code ~/.aws/credentials}) or {@code AWS_CONFIG_FILE} ({@code ~/.aws/config}), read again when they change.
     *
     * @throws IllegalArgumentException for a profile named but absent or unreadable, an invalid region or endpoint,
     *         or half a key pair in the environment
     */
    public static S3Settings resolve(Options options, Map<String, String> env, Path home) {
        requireNonNull(options, "options");
        requireNonNull(env, "env");
        requireNonNull(home, "home");
        Optional<String> namedProfile = options.profile().or(() -> value(env, "AWS_PROFILE"));
        String profile = namedProfile.orElse("default");
        Path credentialsFile = value(env, "AWS_SHARED_CREDENTIALS_FILE").map(Path::of)
                .orElse(home.resolve(".aws").resolve("credentials"));
        Path configFile = value(env, "AWS_CONFIG_FILE").map(Path::of).orElse(home.resolve(".aws").resolve("config"));
        Map<String, String> config = profileSection(configFile, true, profile, namedProfile.isPresent());
        if (namedProfile.isPresent()) {
            Map<String, String> keys = profileSection(credentialsFile, false, profile, true);
            if (config.isEmpty() && keys.isEmpty()) {
                throw new IllegalArgumentException("AWS profile '" + profile + "' is in neither " + credentialsFile
                        + " nor " + configFile);
            }
        }
        Optional<String> region = options.region().or(() -> value(env, "AWS_REGION"))
                .or(() -> value(env, "AWS_DEFAULT_REGION")).or(() -> Optional.ofNullable(config.get("region")));
        Optional<URI> endpoint = options.endpoint().or(() -> value(env, "AWS_ENDPOINT_URL_S3"))
                .or(() -> value(env, "AWS_ENDPOINT_URL"))
                .or(() -> Optional.ofNullable(config.get("s3.endpoint_url")))
                .or(() -> Optional.ofNullable(config.get("endpoint_url"))).map(S3Settings::parseEndpoint);
        Optional<String> keyId = value(env, "AWS_ACCESS_KEY_ID");
        Optional<String> secret = value(env, "AWS_SECRET_ACCESS_KEY");
        S3CredentialSource credentials;
        if (options.profile().isEmpty() && (keyId.isPresent() || secret.isPresent())) {
            if (keyId.isEmpty() || secret.isEmpty()) {
                throw new IllegalArgumentException("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
            }
            credentials = new S3CredentialSource.Fixed(new S3Credentials(keyId.get(), secret.get(),
                    value(env, "AWS_SESSION_TOKEN")), "the environment (AWS_ACCESS_KEY_ID)");
        } else {
            credentials = new S3CredentialSource.Profile(profile, credentialsFile, configFile);
        }
        return new S3Settings(endpoint, region, credentials);
    }

    /**
     * Checks that {@code s3://} sources can be fetched with these settings.
     *
     * @throws IllegalArgumentException saying what is missing
     */
    public void checkUsable() {
        if (region.isEmpty()) {
            throw new IllegalArgumentException("s3:// sources need a region: set --s3-region, AWS_REGION or the "
                    + "profile's region (any value for stores that ignore it, e.g. auto for R2)");
        }
    }

    /** The HTTP(S) URL of an object. */
    public URI objectUri(S3Location location) {
        return URI.create(bucketBase(location.bucket()) + S3Location.encodeKey(location.key()));
    }

    /** The ListObjectsV2 URL for one page of {@code prefix} (query parameters in canonical order). */
    public URI listUri(String bucket, String prefix, Optional<String> continuationToken) {
        StringBuilder query = new StringBuilder();
        continuationToken.ifPresent(t -> query.append("continuation-token=").append(encodeQuery(t)).append('&'));
        query.append("list-type=2&prefix=").append(encodeQuery(prefix));
        return URI.create(bucketBase(bucket) + "?" + query);
    }

    private String bucketBase(String bucket) {
        String signingRegion = region.orElseThrow(() -> new IllegalStateException("no S3 region"));
        if (endpoint.isPresent()) {
            String base = endpoint.get().toString();
            return (base.endsWith("/") ? base : base + "/") + bucket + "/";
        }
        if (bucket.indexOf('.') >= 0) {
            return "https://s3." + signingRegion + ".amazonaws.com/" + bucket + "/";
        }
        return "https://" + bucket + ".s3." + signingRegion + ".amazonaws.com/";
    }

    /** RFC 3986 encoding of a query value, as SigV4 canonicalises it. */
    static String encodeQuery(String value) {
        return S3Location.encodeKey(value).replace("/", "%2F");
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    /** The profile's section of {@code file}; empty when the file or section is absent (unless {@code must}). */
    private static Map<String, String> profileSection(Path file, boolean configFile, String profile, boolean must) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            if (must) {
                throw new IllegalArgumentException("cannot read " + file + " for AWS profile '" + profile + "': " + e,
                        e);
            }
            return Map.of();
        }
        Map<String, String> section = AwsProfileFile.parse(text, configFile).get(profile);
        return section == null ? Map.of() : section;
    }

    private static URI parseEndpoint(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("S3 endpoint is not a valid URL: '" + value + "': " + e.getReason(), e);
        }
        checkEndpoint(uri);
        return uri;
    }

    private static void checkEndpoint(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("S3 endpoint must be an http or https URL, got '" + uri + "'");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()
                || uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("S3 endpoint must be scheme://host[:port] with no path, query or "
                    + "credentials, got '" + uri + "'");
        }
    }

    private static void checkRegion(String region) {
        if (!region.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("'" + region + "' is not a valid region name");
        }
    }
}
