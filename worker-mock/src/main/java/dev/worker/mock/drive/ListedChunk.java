package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.BlockRange;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A chunk status as the daemon reports it (the fields the driver uses).
 *
 * @param id         the chunk
 * @param dataset    its dataset
 * @param range      its block range
 * @param state      {@code queued}, {@code downloading}, {@code ready}, {@code failed} or {@code removing}
 * @param bytesDone  bytes on disk
 * @param bytesTotal bytes expected (0 while unknown)
 * @param refs       open references
 * @param path       the chunk's directory, while ready
 * @param lastError  the last transfer error
 */
record ListedChunk(ChunkId id, DatasetId dataset, BlockRange range, String state, long bytesDone, long bytesTotal,
        long refs,
        Optional<Path> path, Optional<String> lastError) {
    static final String READY = "ready";
    static final String FAILED = "failed";
    static final String REMOVING = "removing";

    ListedChunk {
        requireNonNull(id, "id");
        requireNonNull(dataset, "dataset");
        requireNonNull(range, "range");
        requireNonNull(state, "state");
        requireNonNull(path, "path");
        requireNonNull(lastError, "lastError");
    }

    boolean ready() {
        return state.equals(READY);
    }

    /**
     * Parses a chunk status object.
     *
     * @throws IOException naming the field when the status is not what the API describes
     */
    static ListedChunk parse(JsonNode node, String where) throws IOException {
        try {
            JsonNode range = node.path("block_range");
            Optional<Path> path = node.hasNonNull("path") ? Optional.of(Path.of(text(node, "path", where)))
                    : Optional.empty();
            Optional<String> lastError = node.hasNonNull("last_error")
                    ? Optional.of(node.get("last_error").asText()) : Optional.empty();
            return new ListedChunk(
                    ChunkId.parse(text(node, "id", where)),
                    DatasetId.parse(text(node, "dataset_id", where)),
                    new BlockRange(number(range, "start", where), number(range, "end", where)),
                    text(node, "state", where),
                    node.path("bytes_done").asLong(0),
                    node.path("bytes_total").asLong(0),
                    node.path("refs").asLong(0),
                    path,
                    lastError);
        } catch (IllegalArgumentException e) { // InvalidPathException included
            throw new IOException("the daemon's chunk status at " + where + " is malformed: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field, String where) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IOException("the daemon's chunk status at " + where + " has no text field '" + field + "'");
        }
        return value.asText();
    }

    private static long number(JsonNode node, String field, String where) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong()) {
            throw new IOException("the daemon's chunk status at " + where + " has no number block_range." + field);
        }
        return value.asLong();
    }
}
