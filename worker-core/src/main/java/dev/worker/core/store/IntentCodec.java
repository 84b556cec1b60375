package dev.worker.core.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON payload of a journal record, compact, one object per intent:
 *
 * <pre>{@code
 * {"op":"download","chunk":{descriptor}}
 * {"op":"delete","id":"<64 hex>"}
 * {"op":"assign","chunks":[{descriptor},...]}
 * }</pre>
 *
 * A {@link Intent.Snapshot} is binary, so that replay can skip descriptors without tokenizing them:
 * {@code 'S', u32 count, then per chunk: 32-byte id, u32 length, that many bytes of descriptor JSON}.
 */
final class IntentCodec {
    private IntentCodec() {
    }

    private static final byte SNAPSHOT = 'S';

    static void write(Intent intent, OutputStream out) {
        if (intent instanceof Intent.Snapshot snapshot) {
            writeSnapshot(snapshot, out);
            return;
        }
        try (JsonGenerator gen = ChunkDescriptorJson.MAPPER.getFactory().createGenerator(out)) {
            gen.writeStartObject();
            switch (intent) {
                case Intent.Download d -> {
                    gen.writeStringField("op", "download");
                    gen.writeFieldName("chunk");
                    ChunkDescriptorJson.write(gen, d.descriptor());
                }
                case Intent.Delete d -> {
                    gen.writeStringField("op", "delete");
                    gen.writeStringField("id", d.id().toString());
                }
                case Intent.Snapshot s -> throw new IllegalStateException("written above");
                case Intent.Assign a -> {
                    gen.writeStringField("op", "assign");
                    gen.writeArrayFieldStart("chunks");
                    for (ChunkDescriptor descriptor : a.chunks()) {
                        ChunkDescriptorJson.write(gen, descriptor);
                    }
                    gen.writeEndArray();
                }
            }
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the journal writes into memory first
        }
    }

    private static void writeSnapshot(Intent.Snapshot snapshot, OutputStream out) {
        try {
            DataOutputStream data = new DataOutputStream(out);
            data.writeByte(SNAPSHOT);
            data.writeInt(snapshot.chunks().size());
            for (JournaledDescriptor chunk : snapshot.chunks()) {
                chunk.id().bytes().writeTo(data);
                chunk.writeJson(data);
            }
            data.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the journal writes into memory first
        }
    }

    private static Intent.Snapshot readSnapshot(byte[] bytes, int offset, int length) {
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        in.get();
        if (in.remaining() < 4) {
            throw new IllegalArgumentException("snapshot too short");
        }
        int count = in.getInt();
        if (count < 0 || count > in.remaining() / 36) {
            throw new IllegalArgumentException("snapshot count " + count + " does not fit its " + length + " bytes");
        }
        List<JournaledDescriptor> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            chunks.add(readSnapshotEntry(in, bytes, i)); // a method: see ReadyIndex.read on loops run once
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("snapshot has " + in.remaining() + " bytes after its entries");
        }
        return new Intent.Snapshot(chunks);
    }

    private static JournaledDescriptor readSnapshotEntry(ByteBuffer in, byte[] bytes, int i) {
        if (in.remaining() < 36) {
            throw new IllegalArgumentException("snapshot entry " + i + " is cut off");
        }
        ChunkId id = new ChunkId(Bytes32.read(in));
        int size = in.getInt();
        if (size < 0 || size > in.remaining()) {
            throw new IllegalArgumentException("snapshot entry " + i + " has a bad length " + size);
        }
        JournaledDescriptor chunk = JournaledDescriptor.lazy(id, bytes, in.position(), size);
        in.position(in.position() + size);
        return chunk;
    }

    /** @throws IllegalArgumentException saying what is wrong with the payload */
    static Intent read(byte[] bytes, int offset, int length) {
        if (length > 0 && bytes[offset] == SNAPSHOT) {
            return readSnapshot(bytes, offset, length);
        }
        try (JsonParser p = ChunkDescriptorJson.MAPPER.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("payload is not a JSON object");
            }
            String op = null;
            ChunkDescriptor chunk = null;
            ChunkId id = null;
            List<ChunkDescriptor> chunks = null;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "op" -> op = text(p, value, "op");
                    case "chunk" -> chunk = ChunkDescriptorJson.parse(p, "chunk.");
                    case "id" -> id = ChunkId.parse(text(p, value, "id"));
                    case "chunks" -> {
                        if (value != JsonToken.START_ARRAY) {
                            throw new IllegalArgumentException("chunks must be an array");
                        }
                        chunks = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            String where = "chunks[" + chunks.size() + "].";
                            chunks.add(ChunkDescriptorJson.parse(p, where));
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown field " + field);
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("unexpected content after the JSON object");
            }
            if (op == null) {
                throw new IllegalArgumentException("op is missing");
            }
            return switch (op) {
                case "download" -> new Intent.Download(require(chunk, "chunk", op));
                case "delete" -> new Intent.Delete(require(id, "id", op));
                case "assign" -> new Intent.Assign(require(chunks, "chunks", op));
                default -> throw new IllegalArgumentException("unknown op '" + op + "'");
            };
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading from memory
        }
    }

    private static String text(JsonParser p, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return p.getText();
    }

    private static <T> T require(T value, String field, String op) {
        if (value == null) {
            throw new IllegalArgumentException(op + " needs " + field);
        }
        return value;
    }
}
