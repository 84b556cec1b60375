package dev.worker.core.store;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import java.nio.charset.StandardCharsets;

/**
 * A descriptor as read back from a journal snapshot: its id at once, the rest parsed only when asked. At startup
 * most snapshot entries name chunks that are ready on disk (whose chunk.json already gives the descriptor), so
 * replay need not parse them. Not thread-safe: used by the thread that opens the manager.
 */
public final class JournaledDescriptor {
    private final ChunkId id;
    // The JSON is json[offset, offset + length): a slice of the journal record it was read from, which is one large
    // array (not copied by the garbage collector), and is let go once the descriptor is parsed or dropped.
    private byte[] json;
    private final int offset;
    private final int length;
    private ChunkDescriptor parsed;

    private JournaledDescriptor(ChunkId id, byte[] json, int offset, int length, ChunkDescriptor parsed) {
        this.id = requireNonNull(id, "id");
        this.json = json;
        this.offset = offset;
        this.length = length;
        this.parsed = parsed;
    }

    public static JournaledDescriptor of(ChunkDescriptor descriptor) {
        return new JournaledDescriptor(descriptor.id(), null, 0, 0, descriptor);
    }

    /** The JSON in {@code json[offset, offset + length)}, which the caller must not change. */
    static JournaledDescriptor lazy(ChunkId id, byte[] json, int offset, int length) {
        requireNonNull(json, "json");
        java.util.Objects.checkFromIndexSize(offset, length, json.length);
        return new JournaledDescriptor(id, json, offset, length, null);
    }

    public ChunkId id() {
        return id;
    }

    /** Whether {@link #descriptor()} is already parsed (cheap). */
    public boolean isParsed() {
        return parsed != null;
    }

    /**
     * The descriptor, parsed on first use.
     *
     * @throws IllegalArgumentException when the journaled bytes are not a valid descriptor of this id
     */
    public ChunkDescriptor descriptor() {
        if (parsed == null) {
            ChunkDescriptor d = ChunkDescriptorJson.parse(json, offset, length);
            if (!d.id().equals(id)) {
                throw new IllegalArgumentException("journaled descriptor of " + id + " names chunk " + d.id());
            }
            parsed = d;
            json = null;
        }
        return parsed;
    }

    /** Writes the journaled JSON bytes, while not parsed, else the descriptor's JSON, as u32 length then bytes. */
    void writeJson(java.io.DataOutput out) throws java.io.IOException {
        if (json != null) {
            out.writeInt(length);
            out.write(json, offset, length);
        } else {
            byte[] bytes = ChunkDescriptorJson.toJson(parsed).getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    @Override
    public String toString() {
        return "JournaledDescriptor[" + id + (parsed != null ? " parsed]" : "]");
    }
}
