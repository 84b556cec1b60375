package dev.worker.core.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code {"chunks": [descriptor...]}}: the body of {@code PUT /v1/assignment}, and the mock storage's
 * {@code manifest.json}.
 */
public final class AssignmentDocument {
    private AssignmentDocument() {
    }

    public static byte[] write(Collection<ChunkDescriptor> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, chunks.size() * 512));
        try (JsonGenerator gen = ChunkDescriptorJson.MAPPER.getFactory().createGenerator(out)) {
            gen.writeStartObject();
            gen.writeArrayFieldStart("chunks");
            for (ChunkDescriptor chunk : chunks) {
                ChunkDescriptorJson.write(gen, chunk);
            }
            gen.writeEndArray();
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    /**
     * The descriptors of a parsed document.
     *
     * @param source where the document came from, for messages
     * @throws IOException naming the source and the bad element
     */
    public static List<ChunkDescriptor> parse(JsonNode document, String source) throws IOException {
        JsonNode chunks = document.get("chunks");
        if (chunks == null || !chunks.isArray()) {
            throw new IOException(source + " has no 'chunks' array");
        }
        List<ChunkDescriptor> list = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            try {
                list.add(ChunkDescriptorJson.parse(chunks.get(i), "chunks[" + i + "]."));
            } catch (IllegalArgumentException e) {
                throw new IOException(source + ": " + e.getMessage(), e);
            }
        }
        return list;
    }
}
