package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The daemon's admin API over the JDK's HttpClient (HTTP/1.1, keep-alive). Blocking calls, meant for virtual
 * threads; thread-safe. Every method throws {@link IOException} when no answer arrives (connection refused or reset,
 * timeout); any answer, whatever its status, is returned as a {@link Reply}.
 */
final class DaemonClient implements AutoCloseable {
    /** Longer than the daemon's 30 s wait for its journal, so a slow intent gets its 503 rather than a timeout. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final URI base;
    private final Optional<String> token;
    private final HttpClient http;

    DaemonClient(URI base, Optional<String> token) {
        this.base = requireNonNull(base, "base");
        this.token = requireNonNull(token, "token");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    URI base() {
        return base;
    }

    Reply download(ChunkDescriptor chunk) throws IOException, InterruptedException {
        return send("POST", "/v1/chunks", ChunkDescriptorJson.toJson(chunk));
    }

    Reply delete(ChunkId chunk) throws IOException, InterruptedException {
        return send("DELETE", "/v1/chunks/" + chunk, null);
    }

    Reply assign(List<ChunkDescriptor> chunks) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, chunks.size() * 512));
        try (JsonGenerator gen = ChunkDescriptorJson.MAPPER.getFactory().createGenerator(out)) {
            gen.writeStartObject();
            gen.writeArrayFieldStart("chunks");
            for (ChunkDescriptor chunk : chunks) {
                ChunkDescriptorJson.write(gen, chunk);
            }
            gen.writeEndArray();
            gen.writeEndObject();
        }
        return send("PUT", "/v1/assignment", out.toString(StandardCharsets.UTF_8));
    }

    Reply find(DatasetId dataset, long block) throws IOException, InterruptedException {
        return send("GET", "/v1/datasets/" + dataset + "/blocks/" + block, null);
    }

    Reply createLease(DatasetId dataset, long block, long ttlSeconds) throws IOException, InterruptedException {
        return send("POST", "/v1/leases", "{\"dataset_id\": \"" + dataset + "\", \"block\": " + block
                + ", \"ttl_seconds\": " + ttlSeconds + "}");
    }

    Reply releaseLease(String leaseId) throws IOException, InterruptedException {
        return send("DELETE", "/v1/leases/" + leaseId, null);
    }

    /** Every chunk the daemon knows. */
    ChunkListing chunks() throws IOException, InterruptedException {
        Reply reply = send("GET", "/v1/chunks", null);
        if (reply.status() != 200) {
            throw new IOException("cannot list the daemon's chunks: " + reply.describe());
        }
        return ChunkListing.parse(reply.json());
    }

    /** The Prometheus text of {@code /metrics}. */
    String metrics() throws IOException, InterruptedException {
        Reply reply = send("GET", "/metrics", null);
        if (reply.status() != 200) {
            throw new IOException("cannot read the daemon's metrics: " + reply.describe());
        }
        return reply.body();
    }

    /** Whether {@code /health/ready} answers 200 (the startup scan is done). */
    boolean ready() throws IOException, InterruptedException {
        return send("GET", "/health/ready", null).status() == 200;
    }

    Reply send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        try {
            HttpResponse<String> response = http.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(method, path, response.statusCode(), response.body());
        } catch (ConnectException e) {
            ConnectException refused = new ConnectException("cannot connect to the daemon at " + base + " ("
                    + method + " " + path + "): is it running there?");
            refused.initCause(e);
            throw refused;
        } catch (IOException e) {
            throw new IOException(method + " " + path + " to " + base + ": " + describe(e), e);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public void close() {
        http.close();
    }
}
