package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Signs a bodiless request with AWS Signature Version 4 (the SDK's {@link AwsV4HttpSigner}), for our own HTTP client
 * to send: it returns the headers to add ({@code Authorization}, {@code X-Amz-Date}, {@code x-amz-content-sha256},
 * {@code X-Amz-Security-Token}). The request's own headers given here (e.g. {@code Range}, {@code If-Range}) are
 * signed too and must be sent unchanged. {@code Host} is signed from the URI and left to the client, which sends the
 * same value (the JDK does not let a caller set it). S3 signs the path as encoded once and not normalised. Stateless
 * and thread-safe: every attempt and every resume is signed anew, at the clock's time.
 */
public final class S3Signer {
    static final String SERVICE = "s3";
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private final String service;
    private final Clock clock;

    public S3Signer(Clock clock) {
        this(SERVICE, clock);
    }

    S3Signer(String service, Clock clock) {
        this.service = requireNonNull(service, "service");
        this.clock = requireNonNull(clock, "clock");
    }

    /** The headers that sign {@code method uri} with {@code headers}, for {@code region}. */
    public List<Map.Entry<String, String>> sign(String method, URI uri, List<Map.Entry<String, String>> headers,
            S3Credentials credentials, String region) {
        requireNonNull(method, "method");
        requireNonNull(uri, "uri");
        requireNonNull(headers, "headers");
        requireNonNull(credentials, "credentials");
        requireNonNull(region, "region");
        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(method.toUpperCase(Locale.ROOT))).uri(uri);
        headers.forEach(h -> request.appendHeader(h.getKey(), h.getValue()));
        AwsCredentialsIdentity identity = credentials.sessionToken().isPresent()
                ? AwsSessionCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey(),
                        credentials.sessionToken().get())
                : AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey());
        SdkHttpRequest unsigned = request.build();
        SignedRequest signed = SIGNER.sign(r -> r.identity(identity).request(unsigned)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        List<Map.Entry<String, String>> added = new ArrayList<>();
        signed.request().forEachHeader((name, values) -> {
            if (name.equalsIgnoreCase("Host")) {
                return;
            }
            boolean given = headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase(name));
            if (!given) {
                values.forEach(v -> added.add(Map.entry(name, v)));
            }
        });
        return added;
    }
}
