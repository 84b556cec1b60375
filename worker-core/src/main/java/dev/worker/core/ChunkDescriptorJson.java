package dev.worker.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
        try (JsonParser p = MAPPER.createParser(json)) {
            return parseDocument(p);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ChunkDescriptor parse(byte[] json) {
        return parse(json, 0, json.length);
    }

    /** Parses the descriptor in {@code json[offset, offset + length)}. */
    public static ChunkDescriptor parse(byte[] json, int offset, int length) {
        try (JsonParser p = MAPPER.createParser(json, offset, length)) {
            return parseDocument(p);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ChunkDescriptor parseDocument(JsonParser p) throws IOException {
        if (p.nextToken() == null) {
            throw new IllegalArgumentException("malformed JSON: empty document");
        }
        ChunkDescriptor descriptor = parse(p, "");
        if (p.nextToken() != null) {
            throw new IllegalArgumentException("malformed JSON: more content after the descriptor");
        }
        return descriptor;
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
        requireObject(node, subject(path));
        try (JsonParser p = node.traverse(MAPPER)) {
            p.nextToken();
            return parse(p, path);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a JSON tree", e);
        }
    }

    /**
     * Parses the descriptor object the parser is at (its current token, or the next one when it has none) and leaves
     * the parser at the object's end. Streaming, so the startup scan and the journal build no trees; error paths are
     * built only when there is an error.
     *
     * @param path prefix for error messages, e.g. {@code chunks[3].}; empty at the top level
     * @throws IllegalArgumentException naming the field and what is wrong with it
     * @throws IOException              when the JSON itself is malformed or cannot be read
     */
    public static ChunkDescriptor parse(JsonParser p, String path) throws IOException {
        JsonToken token = p.currentToken() == null ? p.nextToken() : p.currentToken();
        if (token != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException(subject(path) + " must be a JSON object, got " + describe(p));
        }
        ChunkId id = null;
        DatasetId dataset = null;
        BlockRange range = null;
        TreeMap<String, FileSource> files = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> id = once(id, path, field, () -> ChunkId.parse(text(p, path, field)));
                case "dataset_id" -> dataset = once(dataset, path, field,
                        () -> DatasetId.parse(text(p, path, field)));
                case "block_range" -> range = once(range, path, field, () -> parseRange(p, path));
                case "files" -> files = once(files, path, field, () -> parseFiles(p, path));
                default -> throw unknownField(path, field, DESCRIPTOR_FIELDS);
            }
        }
        require(id, path, "id");
        require(dataset, path, "dataset_id");
        require(range, path, "block_range");
        require(files, path, "files");
        try {
            return new ChunkDescriptor(id, dataset, range, files);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(subject(path) + ": " + e.getMessage(), e);
        }
    }

    private static BlockRange parseRange(JsonParser p, String path) throws IOException {
        expectObject(p, path, "block_range");
        Long start = null;
        Long end = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "start" -> start = once(start, path + "block_range.", field,
                        () -> integer(p, path + "block_range." + field));
                case "end" -> end = once(end, path + "block_range.", field,
                        () -> integer(p, path + "block_range." + field));
                default -> throw unknownField(path + "block_range.", field, RANGE_FIELDS);
            }
        }
        require(start, path + "block_range.", "start");
        require(end, path + "block_range.", "end");
        try {
            return new BlockRange(start, end);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + "block_range: " + e.getMessage(), e);
        }
    }

    private static TreeMap<String, FileSource> parseFiles(JsonParser p, String path) throws IOException {
        expectObject(p, path, "files");
        TreeMap<String, FileSource> files = new TreeMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            try {
                FileNames.check(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(fileWhere(path, name) + ": " + e.getMessage(), e);
            }
            p.nextToken();
            if (files.put(name, parseSource(p, path, name)) != null) {
                throw new IllegalArgumentException("duplicate file " + fileWhere(path, name));
            }
        }
        return files;
    }

    private static FileSource parseSource(JsonParser p, String path, String name) throws IOException {
        try {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return FileSource.of(p.getText());
            }
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("must be a string or a JSON object, got " + describe(p));
            }
            String url = null;
            OptionalLong size = OptionalLong.empty();
            Optional<Bytes32> sha256 = Optional.empty();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "url" -> url = text(p, "", "url");
                    case "size" -> {
                        if (value != JsonToken.VALUE_NULL) {
                            long n = integer(p, "size");
                            if (n < 0) {
                                throw new IllegalArgumentException("size must be >= 0, got " + n);
                            }
                            size = OptionalLong.of(n);
                        }
                    }
                    case "sha256" -> {
                        if (value != JsonToken.VALUE_NULL) {
                            String hex = text(p, "", "sha256");
                            sha256 = Optional.of(Bytes32.parseHex("sha256", hex));
                        }
                    }
                    default -> throw unknownField("", field, SOURCE_FIELDS);
                }
            }
            if (url == null) {
                throw new IllegalArgumentException("url is missing");
            }
            return new FileSource(url, size, sha256);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(fileWhere(path, name) + ": " + e.getMessage(), e);
        }
    }

    /** A parse step that may throw IOException (the parser's). */
    @FunctionalInterface
    private interface Step<T> {
        T run() throws IOException;
    }

    private static <T> T once(T previous, String path, String field, Step<T> step) throws IOException {
        if (previous != null) {
            throw new IllegalArgumentException("duplicate field " + path + field);
        }
        return step.run();
    }

    private static void require(Object value, String path, String field) {
        if (value == null) {
            throw new IllegalArgumentException(path + field + " is missing");
        }
    }

    private static void expectObject(JsonParser p, String path, String field) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            throw new IllegalArgumentException(path + field + " is missing");
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException(path + field + " must be a JSON object, got " + describe(p));
        }
    }

    private static String text(JsonParser p, String path, String field) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            throw new IllegalArgumentException(path + field + " is missing");
        }
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(path + field + " must be a string, got " + describe(p));
        }
        return p.getText();
    }

    private static long integer(JsonParser p, String where) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            throw new IllegalArgumentException(where + " is missing");
        }
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalArgumentException(where + " must be an integer, got " + describe(p));
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new IllegalArgumentException(where + " is out of range: " + p.getText());
        }
        return p.getLongValue();
    }

    private static IllegalArgumentException unknownField(String path, String field, Set<String> known) {
        return new IllegalArgumentException("unknown field " + path + Bytes32.abbreviate(field)
                + " (expected one of " + new TreeSet<>(known) + ")");
    }

    private static String subject(String path) {
        return path.isEmpty() ? "chunk descriptor" : path.substring(0, path.length() - 1);
    }

    private static String fileWhere(String path, String name) {
        return path + "files." + Bytes32.abbreviate(name);
    }

    private static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + p.getText();
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString().toLowerCase(Locale.ROOT);
        };
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
}
