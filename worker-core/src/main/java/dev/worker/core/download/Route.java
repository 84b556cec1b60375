package dev.worker.core.download;

import dev.worker.core.FileSource;
import dev.worker.core.source.SourcePolicy;
import dev.worker.core.source.Sources;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The hops of one attempt's request: the source's URL (or an {@code s3://} object's URL at its store), then each
 * redirect the attempt follows. Before every connection the hop's host is resolved and checked by the
 * {@link SourcePolicy}; a refusal fails the file before anything connects, with a message built from the request
 * alone (the rule and the URL), never from a network outcome, so a refused address tells nothing about what listens
 * there. Each hop gets the headers of its own host (never another's), and an {@code s3://} request is signed anew.
 * Owned by one attempt's thread.
 */
final class Route {
    /** Redirects followed per attempt before giving up (browsers allow about 20; stores use one or two). */
    static final int MAX_REDIRECTS = 5;

    private final Sources sources;
    private final FileSource source;
    private final String describe;
    private URI hop;
    private int redirects;
    private boolean fromPublic;
    private List<InetAddress> addresses = List.of();

    private Route(Sources sources, FileSource source, String describe, URI first) {
        this.sources = sources;
        this.source = source;
        this.describe = describe;
        this.hop = first;
    }

    /**
     * The route of {@code source}.
     *
     * @throws IllegalArgumentException when it has no usable first URL (an {@code s3://} source without settings)
     */
    static Route of(Sources sources, FileSource source, String describe) {
        return new Route(sources, source, describe, sources.firstHop(source));
    }

    URI uri() {
        return hop;
    }

    boolean signed() {
        return Sources.isS3(source);
    }

    /**
     * Resolves the current hop and applies the policy: null when it may connect, else the result to end with (a
     * permanent refusal, or a retry when the name does not resolve).
     */
    AttemptResult check() {
        String host = hop.getHost();
        try {
            addresses = Arrays.asList(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            return new AttemptResult.Retry(RetryReason.CONNECTION, "cannot resolve host " + host + " of " + describe);
        }
        Optional<SourcePolicy.Refusal> refused = sources.policy().check(host, addresses, fromPublic);
        return refused.map(r -> (AttemptResult) new AttemptResult.Fail("source_policy", "refused by the source "
                + "policy (rule " + r.rule() + "): " + r.reason() + "; " + describe)).orElse(null);
    }

    /** The GET of the current hop with the transfer's own headers ({@code Range}, {@code If-Range}) and the hop's. */
    HttpRequest request(List<Map.Entry<String, String>> own) throws IOException {
        boolean tls = hop.getScheme().toLowerCase(Locale.ROOT).equals("https");
        // Plain http stays on HTTP/1.1: asking for HTTP/2 there means an h2c upgrade round on every connection.
        HttpRequest.Builder builder = HttpRequest.newBuilder(hop).GET()
                .version(tls ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1);
        List<Map.Entry<String, String>> all = new ArrayList<>(own);
        all.addAll(sources.headers(source, hop, own));
        all.forEach(h -> builder.header(h.getKey(), h.getValue()));
        return builder.build();
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * Moves to the hop a redirect answer points to: null when there is one to follow, else the permanent failure
     * (no Location, a non-http(s) target, too many hops, or a signed S3 request, whose signature is for its host).
     */
    AttemptResult follow(int status, HttpHeaders headers) {
        if (signed()) {
            return new AttemptResult.Fail("s3_redirect", "the S3 store answered HTTP " + status + " (a redirect, often "
                    + "a wrong region or endpoint) for " + describe);
        }
        Optional<String> location = headers.firstValue("Location");
        if (location.isEmpty()) {
            return new AttemptResult.Fail("http_" + status, "HTTP " + status + " without a Location for " + describe);
        }
        if (redirects >= MAX_REDIRECTS) {
            return new AttemptResult.Fail("too_many_redirects", "more than " + MAX_REDIRECTS + " redirects for "
                    + describe);
        }
        URI next;
        try {
            next = hop.resolve(new URI(location.get().strip()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return new AttemptResult.Fail("bad_redirect", "HTTP " + status + " with an unusable Location for "
                    + describe);
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || next.getHost() == null
                || next.getRawUserInfo() != null) {
            return new AttemptResult.Fail("bad_redirect", "HTTP " + status + " redirects to a URL that is not plain "
                    + "http(s) for " + describe);
        }
        fromPublic = addresses.stream().anyMatch(SourcePolicy::isPublic);
        redirects++;
        hop = next;
        return null;
    }
}
