package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.client.AssignmentDocument;
import dev.worker.core.client.HttpReply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Reads a mock storage's {@code /manifest.json} and {@code /stats}. */
final class StorageClient implements AutoCloseable {
    /** The first manifest request computes every file's SHA-256, which takes a while for a big set. */
    private static final Duration MANIFEST_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** @param base the storage's root URL; {@code /manifest.json} and {@code /stats} are resolved against it */
    StorageClient(URI base) {
        this.base = requireNonNull(base, "base");
    }

    List<ChunkDescriptor> manifest() throws IOException, InterruptedException {
        return AssignmentDocument.parse(get("manifest.json", MANIFEST_TIMEOUT),
                base.resolve("manifest.json").toString());
    }

    StorageStats stats() throws IOException, InterruptedException {
        return StorageStats.parse(get("stats", STATS_TIMEOUT));
    }

    private JsonNode get(String path, Duration timeout) throws IOException, InterruptedException {
        URI uri = base.resolve(path);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException("cannot read " + uri + " from the storage: " + e, e);
        }
        HttpReply reply = new HttpReply("GET", uri.toString(), response.statusCode(), response.body());
        if (reply.status() != 200) {
            throw new IOException("the storage answered " + reply.describe());
        }
        return reply.json();
    }

    @Override
    public void close() {
        http.close();
    }
}
