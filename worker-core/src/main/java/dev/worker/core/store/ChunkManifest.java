package dev.worker.core.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.FileDigest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code chunk.json} of a published chunk:
 *
 * <pre>{@code
 * {"version": 1, "descriptor": {...}, "files": {"<name>": {"size": n, "sha256": "<hex>"}},
 *  "completed_at": "<RFC 3339 UTC>"}
 * }</pre>
 *
 * The descriptor uses {@link ChunkDescriptorJson}. Reading streams through the document (the startup scan reads
 * thousands of these); unknown top-level fields are skipped so that a later writer can add some.
 */
final class ChunkManifest {
    static final String FILE_NAME = "chunk.json";
    static final int VERSION = 1;

    private ChunkManifest() {
    }

    static byte[] write(ChunkDescriptor descriptor, Map<String, FileDigest> files, Instant completedAt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator gen = ChunkDescriptorJson.MAPPER.getFactory().createGenerator(out)) {
            gen.writeStartObject();
            gen.writeNumberField("version", VERSION);
            gen.writeFieldName("descriptor");
            ChunkDescriptorJson.write(gen, descriptor);
            gen.writeObjectFieldStart("files");
            for (Map.Entry<String, FileDigest> file : new TreeMap<>(files).entrySet()) {
                gen.writeObjectFieldStart(file.getKey());
                gen.writeNumberField("size", file.getValue().size());
                gen.writeStringField("sha256", file.getValue().sha256().toHex());
                gen.writeEndObject();
            }
            gen.writeEndObject();
            gen.writeStringField("completed_at", completedAt.toString());
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * Parses a chunk.json read from {@code dir}.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static StoredChunk parse(byte[] json, Path dir) {
        try (JsonParser p = ChunkDescriptorJson.MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            int version = -1;
            ChunkDescriptor descriptor = null;
            Map<String, FileDigest> files = null;
            Instant completedAt = null;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "version" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) {
                            throw new IllegalArgumentException("version must be an integer");
                        }
                        version = p.getIntValue();
                    }
                    case "descriptor" -> {
                        descriptor = ChunkDescriptorJson.parse(p, "descriptor.");
                    }
                    case "files" -> files = parseFiles(p, value);
                    case "completed_at" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw new IllegalArgumentException("completed_at must be a string");
                        }
                        completedAt = parseInstant(p.getText());
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("unexpected content after the JSON object");
            }
            if (version != VERSION) {
                throw new IllegalArgumentException(version == -1 ? "version is missing"
                        : "unsupported version " + version + " (this build reads " + VERSION + ")");
            }
            if (descriptor == null) {
                throw new IllegalArgumentException("descriptor is missing");
            }
            if (files == null) {
                throw new IllegalArgumentException("files is missing");
            }
            if (completedAt == null) {
                throw new IllegalArgumentException("completed_at is missing");
            }
            return new StoredChunk(descriptor, dir, files, completedAt); // checks files against the descriptor
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading from memory
        }
    }

    private static Map<String, FileDigest> parseFiles(JsonParser p, JsonToken start) throws IOException {
        if (start != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("files must be a JSON object");
        }
        Map<String, FileDigest> files = new HashMap<>();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("files." + name + " must be a JSON object");
            }
            long size = -1;
            Bytes32 sha256 = null;
            for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "size" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) {
                            throw new IllegalArgumentException("files." + name + ".size must be an integer");
                        }
                        size = p.getLongValue();
                    }
                    case "sha256" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw new IllegalArgumentException("files." + name + ".sha256 must be a string");
                        }
                        sha256 = Bytes32.parseHex("files." + name + ".sha256", p.getText());
                    }
                    default -> throw new IllegalArgumentException("unknown field files." + name + "." + field);
                }
            }
            if (size < 0 || sha256 == null) {
                throw new IllegalArgumentException("files." + name + " needs a size >= 0 and a sha256");
            }
            if (files.put(name, new FileDigest(size, sha256)) != null) {
                throw new IllegalArgumentException("files." + name + " appears twice");
            }
        }
        return files;
    }

    /**
     * Parses an RFC 3339 time. The form {@link Instant#toString} writes ({@code 2026-11-23T10:00:00.123Z}) takes a
     * direct path: {@link Instant#parse} costs about as much as the rest of a chunk.json in a cold startup scan.
     */
    static Instant parseInstant(String text) {
        Instant fast = parseUtcFast(text);
        if (fast != null) {
            return fast;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("completed_at is not an RFC 3339 time: '" + text + "'", e);
        }
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} with 1 to 9 fraction digits, or null for anything else. */
    private static Instant parseUtcFast(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        int nanos = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n == 21) {
                return null;
            }
            nanos = digits(s, 20, n - 1);
            for (int i = n - 1 - 20; i < 9; i++) {
                nanos *= 10;
            }
        }
        if ((year | month | day | hour | minute | second | nanos) < 0 || month < 1 || month > 12 || day < 1
                || day > lengthOfMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
            return null; // leap seconds, February 30th and the like: the full parser decides and words the error
        }
        return Instant.ofEpochSecond(epochDay(year, month, day) * 86_400 + hour * 3_600L + minute * 60L + second,
                nanos);
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), year 0 to 9999. */
    private static long epochDay(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = Math.floorDiv(y, 400);
        int yearOfEra = y - era * 400;
        int dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097L + dayOfEra - 719_468;
    }

    /** The decimal value of s[from, to), or -1 when a character is not a digit. */
    private static int digits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
