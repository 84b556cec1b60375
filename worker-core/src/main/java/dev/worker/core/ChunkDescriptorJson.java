package dev.worker.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The one JSON form of a {@link ChunkDescriptor}, shared by the admin API, the on-disk {@code chunk.json}, the intent
 * journal and the mock storage's manifest:
 *
 * <pre>{@code
 * {"id": "<64 hex>", "dataset_id": "<64 hex>", "block_range": {"start": 1000, "end": 2000},
 *  "files": {"a.parquet": "http://host/a.parquet",
 *            "b.parquet": {"url": "http://host/b.parquet", "size": 1048576, "sha256": "<64 hex>"}}}
 * }</pre>
 *
 * Parsing is strict: unknown fields, wrong types and out-of-range numbers are rejected with an
 * {@link IllegalArgumentException} whose message names the field.
 */
public final class ChunkDescriptorJson {
    private static final Set<String> DESCRIPTOR_FIELDS = Set.of("id", "dataset_id", "block_range", "files");
    private static final Set<String> RANGE_FIELDS = Set.of("start", "end");
    private static final Set<String> SOURCE_FIELDS = Set.of("url", "size", "sha256");

    /** A mapper with limits suited to untrusted input; shared, thread-safe. */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(64)
                            .maxNumberLength(64)
                            .maxStringLength(16 << 20)
                            .build())
                    .build())
            .build();

    private ChunkDescriptorJson() {
    }

    public static ChunkDescriptor parse(String json) {
        return parse(readTree(json));
    }

    public static ChunkDescriptor parse(byte[] json) {
        try {
            return parse(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads JSON text into a tree, mapping syntax errors to {@link IllegalArgumentException}. */
    public static JsonNode readTree(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException("malformed JSON: empty document");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static ChunkDescriptor parse(JsonNode node) {
        return parse(node, "");
    }

    /** Parses a descriptor found at {@code path} (used as a prefix in error messages, e.g. {@code chunks[3].}). */
    public static ChunkDescriptor parse(JsonNode node, String path) {
        requireObject(node, path.isEmpty() ? "chunk descriptor" : path.substring(0, path.length() - 1));
        rejectUnknown(node, DESCRIPTOR_FIELDS, path);
        ChunkId id = at(path + "id", () -> ChunkId.parse(requireText(node.get("id"), path + "id")));
        DatasetId dataset = at(path + "dataset_id",
                () -> DatasetId.parse(requireText(node.get("dataset_id"), path + "dataset_id")));
        JsonNode rangeNode = node.get("block_range");
        requireObject(rangeNode, path + "block_range");
        rejectUnknown(rangeNode, RANGE_FIELDS, path + "block_range.");
        long start = requireLong(rangeNode.get("start"), path + "block_range.start");
        long end = requireLong(rangeNode.get("end"), path + "block_range.end");
        BlockRange range = at(path + "block_range", () -> new BlockRange(start, end));
        JsonNode filesNode = node.get("files");
        requireObject(filesNode, path + "files");
        TreeMap<String, FileSource> files = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : filesNode.properties()) {
            String name = field.getKey();
            String where = path + "files." + Bytes32.abbreviate(name);
            at(where, () -> FileNames.check(name));
            files.put(name, parseSource(field.getValue(), where));
        }
        return at(path.isEmpty() ? "chunk descriptor" : path.substring(0, path.length() - 1),
                () -> new ChunkDescriptor(id, dataset, range, files));
    }

    private static FileSource parseSource(JsonNode node, String path) {
        if (node != null && node.isTextual()) {
            return at(path, () -> FileSource.of(node.textValue()));
        }
        requireObject(node, path);
        rejectUnknown(node, SOURCE_FIELDS, path + ".");
        String url = requireText(node.get("url"), path + ".url");
        OptionalLong size = OptionalLong.empty();
        if (node.hasNonNull("size")) {
            long value = requireLong(node.get("size"), path + ".size");
            if (value < 0) {
                throw new IllegalArgumentException(path + ".size must be >= 0, got " + value);
            }
            size = OptionalLong.of(value);
        }
        Optional<Bytes32> sha256 = Optional.empty();
        if (node.hasNonNull("sha256")) {
            String hex = requireText(node.get("sha256"), path + ".sha256");
            sha256 = Optional.of(at(path + ".sha256", () -> Bytes32.parseHex("sha256", hex)));
        }
        OptionalLong finalSize = size;
        Optional<Bytes32> finalSha = sha256;
        return at(path, () -> new FileSource(url, finalSize, finalSha));
    }

    public static String toJson(ChunkDescriptor descriptor) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator gen = MAPPER.getFactory().createGenerator(out)) {
            write(gen, descriptor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes the descriptor as one JSON object. */
    public static void write(JsonGenerator gen, ChunkDescriptor descriptor) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("id", descriptor.id().toString());
        gen.writeStringField("dataset_id", descriptor.datasetId().toString());
        writeRange(gen, descriptor.range());
        gen.writeObjectFieldStart("files");
        for (Map.Entry<String, FileSource> file : descriptor.files().entrySet()) {
            FileSource source = file.getValue();
            if (source.size().isEmpty() && source.sha256().isEmpty()) {
                gen.writeStringField(file.getKey(), source.url());
            } else {
                gen.writeObjectFieldStart(file.getKey());
                gen.writeStringField("url", source.url());
                if (source.size().isPresent()) {
                    gen.writeNumberField("size", source.size().getAsLong());
                }
                if (source.sha256().isPresent()) {
                    gen.writeStringField("sha256", source.sha256().get().toHex());
                }
                gen.writeEndObject();
            }
        }
        gen.writeEndObject();
        gen.writeEndObject();
    }

    /** Writes {@code "block_range": {"start": s, "end": e}}. */
    public static void writeRange(JsonGenerator gen, BlockRange range) throws IOException {
        gen.writeObjectFieldStart("block_range");
        gen.writeNumberField("start", range.start());
        gen.writeNumberField("end", range.end());
        gen.writeEndObject();
    }

    public static void requireObject(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new IllegalArgumentException(path + " is missing");
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + " must be a JSON object, got " + describe(node));
        }
    }

    public static String requireText(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new IllegalArgumentException(path + " is missing");
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(path + " must be a string, got " + describe(node));
        }
        return node.textValue();
    }

    public static long requireLong(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new IllegalArgumentException(path + " is missing");
        }
        if (!node.isIntegralNumber()) {
            throw new IllegalArgumentException(path + " must be an integer, got " + describe(node));
        }
        if (!node.canConvertToLong()) {
            throw new IllegalArgumentException(path + " is out of range: " + node.asText());
        }
        return node.longValue();
    }

    public static void rejectUnknown(JsonNode node, Set<String> known, String path) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown field " + path + Bytes32.abbreviate(name)
                        + " (expected one of " + new TreeSet<>(known) + ")");
            }
        }
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "the number " + node.asText();
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase(Locale.ROOT);
        };
    }

    private static <T> T at(String path, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new IllegalArgumentException(path + ": " + message, e);
        }
    }
}
