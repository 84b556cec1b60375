package dev.worker.core.client;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * The daemon's admin API over the JDK's HttpClient (HTTP/1.1, keep-alive). Blocking calls, meant for virtual threads;
 * thread-safe. Every call throws {@link IOException} when no answer arrives (a {@link ConnectException} when nothing
 * listens, an {@link HttpTimeoutException} after the request timeout, each naming the daemon and the request); any
 * answer, whatever its status, is returned as an {@link HttpReply}.
 */
public final class AdminClient implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final String base;
    private final Optional<String> token;
    private final Duration requestTimeout;
    private final HttpClient http;

    /**
     * @param base           the API's root, e.g. {@code http://127.0.0.1:7070} (a path prefix is kept)
     * @param token          the bearer token, when the daemon wants one
     * @param requestTimeout how long one exchange may take
     */
    public AdminClient(URI base, Optional<String> token, Duration requestTimeout) {
        String root = requireNonNull(base, "base").toString();
        this.base = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        this.token = requireNonNull(token, "token");
        if (requireNonNull(requestTimeout, "requestTimeout").isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be > 0, got " + requestTimeout);
        }
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    public URI base() {
        return URI.create(base);
    }

    public HttpReply get(String path) throws IOException, InterruptedException {
        return send("GET", path, Optional.empty());
    }

    public HttpReply delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, Optional.empty());
    }

    public HttpReply post(String path, byte[] body) throws IOException, InterruptedException {
        return send("POST", path, Optional.of(body));
    }

    public HttpReply put(String path, byte[] body) throws IOException, InterruptedException {
        return send("PUT", path, Optional.of(body));
    }

    /** {@code POST /v1/chunks}. */
    public HttpReply download(ChunkDescriptor chunk) throws IOException, InterruptedException {
        return post("/v1/chunks", utf8(ChunkDescriptorJson.toJson(chunk)));
    }

    /** {@code DELETE /v1/chunks/{id}}. */
    public HttpReply delete(ChunkId chunk) throws IOException, InterruptedException {
        return delete("/v1/chunks/" + chunk);
    }

    /** {@code PUT /v1/assignment} with {@code {"chunks": [...]}}. */
    public HttpReply assign(Collection<ChunkDescriptor> chunks) throws IOException, InterruptedException {
        return put("/v1/assignment", AssignmentDocument.write(chunks));
    }

    /** {@code GET /v1/datasets/{dataset}/blocks/{block}}. */
    public HttpReply find(DatasetId dataset, long block) throws IOException, InterruptedException {
        return get("/v1/datasets/" + dataset + "/blocks/" + block);
    }

    /** {@code POST /v1/leases}. */
    public HttpReply createLease(DatasetId dataset, long block, long ttlSeconds)
            throws IOException, InterruptedException {
        return post("/v1/leases", utf8("{\"dataset_id\": \"" + dataset + "\", \"block\": " + block
                + ", \"ttl_seconds\": " + ttlSeconds + "}"));
    }

    /** {@code DELETE /v1/leases/{id}}. */
    public HttpReply releaseLease(String leaseId) throws IOException, InterruptedException {
        return delete("/v1/leases/" + leaseId);
    }

    /** Whether {@code /health/ready} answers 200 (the startup scan is done). */
    public boolean ready() throws IOException, InterruptedException {
        return get("/health/ready").status() == 200;
    }

    /** The Prometheus text of {@code /metrics}; an {@link IOException} for any status but 200. */
    public String metrics() throws IOException, InterruptedException {
        HttpReply reply = get("/metrics");
        if (reply.status() != 200) {
            throw new IOException("cannot read the daemon's metrics: " + reply.describe());
        }
        return reply.body();
    }

    /** Sends {@code body} (JSON) when present. */
    public HttpReply send(String method, String path, Optional<byte[]> body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(requestTimeout)
                .header("Accept", "application/json")
                .method(method, body.map(HttpRequest.BodyPublishers::ofByteArray)
                        .orElse(HttpRequest.BodyPublishers.noBody()));
        if (body.isPresent()) {
            request.header("Content-Type", "application/json");
        }
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw chained(new ConnectException("cannot connect to the daemon at " + base + " (" + method + " " + path
                    + ")"), e);
        } catch (HttpTimeoutException e) {
            throw chained(new HttpTimeoutException("the daemon at " + base + " did not answer " + method + " " + path
                    + " within " + requestTimeout), e);
        } catch (IOException e) {
            String message = e.getMessage();
            throw new IOException(method + " " + path + " to " + base + ": " + e.getClass().getSimpleName()
                    + (message == null ? "" : ": " + message), e);
        }
        return new HttpReply(method, path, response.statusCode(), response.body());
    }

    private static <E extends IOException> E chained(E e, IOException cause) {
        e.initCause(cause);
        return e;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.close();
    }
}
