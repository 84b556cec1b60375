package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkId;
import dev.worker.core.client.AdminClient;
import dev.worker.core.client.HttpReply;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The answer of {@code GET /v1/chunks}: every chunk the daemon knows, by id.
 *
 * @param chunks the chunks, sorted by id
 */
record ChunkListing(Map<ChunkId, ListedChunk> chunks) {
    ChunkListing {
        chunks = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(chunks, "chunks")));
    }

    /** {@code GET /v1/chunks}: every chunk the daemon knows. */
    static ChunkListing read(AdminClient daemon) throws IOException, InterruptedException {
        HttpReply reply = daemon.get("/v1/chunks");
        if (reply.status() != 200) {
            throw new IOException("cannot list the daemon's chunks: " + reply.describe());
        }
        return parse(reply.json());
    }

    static ChunkListing parse(JsonNode body) throws IOException {
        JsonNode list = body.get("chunks");
        if (list == null || !list.isArray()) {
            throw new IOException("GET /v1/chunks answered without a 'chunks' array");
        }
        Map<ChunkId, ListedChunk> chunks = new TreeMap<>();
        for (int i = 0; i < list.size(); i++) {
            ListedChunk chunk = ListedChunk.parse(list.get(i), "chunks[" + i + "]");
            chunks.put(chunk.id(), chunk);
        }
        return new ChunkListing(chunks);
    }

    /** The ids of the ready chunks, sorted. */
    Set<ChunkId> ready() {
        Set<ChunkId> ready = new TreeSet<>();
        chunks.values().stream().filter(ListedChunk::ready).forEach(c -> ready.add(c.id()));
        return ready;
    }
}
