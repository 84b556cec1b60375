package dev.worker.daemon.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import dev.worker.core.ChunkStatus;
import dev.worker.core.DatasetId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The admin API's JSON: status and error bodies out, lease and assignment bodies in. Descriptors are parsed and
 * written only by {@link ChunkDescriptorJson}; this class adds the API's envelopes around them.
 */
public final class ApiJson {
    /** Strict reading of untrusted bodies: one document, no duplicate keys, the core mapper's size limits. */
    private static final ObjectReader READER = ChunkDescriptorJson.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    /** For one value inside a stream (an assignment's elements): more tokens follow it. */
    private static final ObjectReader ELEMENT_READER = ChunkDescriptorJson.MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> LEASE_FIELDS = Set.of("dataset_id", "block", "ttl_seconds");

    private ApiJson() {
    }

    /** A JSON writer body: writes one value with the generator. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator gen) throws IOException;
    }

    public static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator gen = ChunkDescriptorJson.MAPPER.getFactory().createGenerator(out)) {
            body.write(gen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // ---- responses -------------------------------------------------------------------------------------------

    public static byte[] status(ChunkStatus status) {
        return write(gen -> writeStatus(gen, status));
    }

    /** The status of a chunk the manager does not know: {@code {"id": ..., "state": "absent"}}. */
    public static byte[] absent(ChunkId id) {
        return write(gen -> {
            gen.writeStartObject();
            gen.writeStringField("id", id.toString());
            gen.writeStringField("state", "absent");
            gen.writeEndObject();
        });
    }

    public static void writeStatus(JsonGenerator gen, ChunkStatus status) throws IOException {
        ChunkDescriptor d = status.descriptor();
        gen.writeStartObject();
        gen.writeStringField("id", d.id().toString());
        gen.writeStringField("dataset_id", d.datasetId().toString());
        ChunkDescriptorJson.writeRange(gen, d.range());
        gen.writeStringField("state", status.state().wireName());
        gen.writeNumberField("bytes_done", status.bytesDone());
        gen.writeNumberField("bytes_total", status.bytesTotal());
        gen.writeNumberField("attempts", status.attempts());
        if (status.lastError().isPresent()) {
            gen.writeStringField("last_error", status.lastError().get());
        } else {
            gen.writeNullField("last_error");
        }
        gen.writeNumberField("refs", status.refs());
        if (status.path().isPresent()) {
            gen.writeStringField("path", status.path().get().toAbsolutePath().toString());
        }
        if (status.nextRetryAt().isPresent()) {
            gen.writeStringField("next_retry_at", time(status.nextRetryAt().get()));
        }
        gen.writeEndObject();
    }

    public static byte[] error(ApiError error, String message) {
        return write(gen -> {
            gen.writeStartObject();
            gen.writeObjectFieldStart("error");
            gen.writeStringField("code", error.code());
            gen.writeStringField("message", message);
            gen.writeEndObject();
            gen.writeEndObject();
        });
    }

    /** RFC 3339 in UTC, to the millisecond. */
    public static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    // ---- requests --------------------------------------------------------------------------------------------

    /** One JSON document (an object, array or value), or {@code invalid_json}. */
    public static JsonNode readTree(InputStream body) {
        try {
            JsonNode node = READER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new ApiException(ApiError.INVALID_JSON, "the request body is empty; expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(ApiError.INVALID_JSON, "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw undecodable(e);
        }
    }

    /**
     * The body is in memory, so an IOException from the parser is never I/O: it is a body the JSON decoder could not
     * turn into characters (e.g. {@link java.io.CharConversionException} for bytes that look like UTF-32 but are not
     * valid code points). That is the client's bad input, not our failure.
     */
    private static ApiException undecodable(IOException e) {
        return new ApiException(ApiError.INVALID_JSON, "malformed JSON: the body is not text in a JSON encoding ("
                + e.getMessage() + ")", e);
    }

    /** A chunk descriptor body ({@code POST /v1/chunks}). */
    public static ChunkDescriptor descriptor(InputStream body) {
        JsonNode node = readTree(body);
        return invalidRequestOn(() -> ChunkDescriptorJson.parse(node));
    }

    /** A lease request: {@code {"dataset_id", "block", "ttl_seconds"}}; ttl defaults and bounds are the caller's. */
    public record LeaseRequest(DatasetId dataset, long block, long ttlSeconds) {
    }

    public static LeaseRequest leaseRequest(InputStream body, long defaultTtlSeconds, long maxTtlSeconds) {
        JsonNode node = readTree(body);
        return invalidRequestOn(() -> {
            ChunkDescriptorJson.requireObject(node, "lease request");
            ChunkDescriptorJson.rejectUnknown(node, LEASE_FIELDS, "");
            DatasetId dataset = DatasetId.parse(ChunkDescriptorJson.requireText(node.get("dataset_id"), "dataset_id"));
            long block = ChunkDescriptorJson.requireLong(node.get("block"), "block");
            if (block < 0) {
                throw new IllegalArgumentException("block must be >= 0, got " + block);
            }
            long ttl = defaultTtlSeconds;
            if (node.hasNonNull("ttl_seconds")) {
                ttl = ChunkDescriptorJson.requireLong(node.get("ttl_seconds"), "ttl_seconds");
                if (ttl < 1 || ttl > maxTtlSeconds) {
                    throw new IllegalArgumentException(
                            "ttl_seconds must be 1.." + maxTtlSeconds + " (the configured maximum), got " + ttl);
                }
            }
            return new LeaseRequest(dataset, block, ttl);
        });
    }

    /**
     * An assignment body {@code {"chunks": [descriptor...]}}, read as a stream so that only the descriptors, not a
     * tree of the whole (up to 64 MiB) document, are held in memory.
     */
    public static List<ChunkDescriptor> assignment(InputStream body) {
        List<ChunkDescriptor> chunks = null;
        try (JsonParser p = ELEMENT_READER.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new ApiException(ApiError.INVALID_JSON,
                        "the request body is empty; expected {\"chunks\": [...]}");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new ApiException(ApiError.INVALID_REQUEST,
                        "the assignment must be a JSON object {\"chunks\": [...]}, got " + describe(first));
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals("chunks")) {
                    throw new ApiException(ApiError.INVALID_REQUEST,
                            "unknown field " + abbreviate(field) + " (expected [chunks])");
                }
                if (value != JsonToken.START_ARRAY) {
                    throw new ApiException(ApiError.INVALID_REQUEST, "chunks must be a JSON array, got "
                            + describe(value));
                }
                chunks = new ArrayList<>();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    JsonNode node = ELEMENT_READER.readTree(p);
                    String path = "chunks[" + i + "].";
                    chunks.add(invalidRequestOn(() -> ChunkDescriptorJson.parse(node, path)));
                    i++;
                }
            }
            if (p.nextToken() != null) {
                throw new ApiException(ApiError.INVALID_JSON, "malformed JSON: content after the end of the document");
            }
        } catch (JsonProcessingException e) {
            throw new ApiException(ApiError.INVALID_JSON, "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw undecodable(e);
        }
        if (chunks == null) {
            throw new ApiException(ApiError.INVALID_REQUEST, "chunks is missing");
        }
        return chunks;
    }

    private static <T> T invalidRequestOn(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_REQUEST, e.getMessage(), e);
        }
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
