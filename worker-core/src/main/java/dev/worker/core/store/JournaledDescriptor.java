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
    private byte[] json;
    private ChunkDescriptor parsed;

    private JournaledDescriptor(ChunkId id, byte[] json, ChunkDescriptor parsed) {
        this.id = requireNonNull(id, "id");
        this.json = json;
        this.parsed = parsed;
    }

    public static JournaledDescriptor of(ChunkDescriptor descriptor) {
        return new JournaledDescriptor(descriptor.id(), null, descriptor);
    }

    static JournaledDescriptor lazy(ChunkId id, byte[] json) {
        return new JournaledDescriptor(id, requireNonNull(json, "json"), null);
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
            ChunkDescriptor d = ChunkDescriptorJson.parse(json);
            if (!d.id().equals(id)) {
                throw new IllegalArgumentException("journaled descriptor of " + id + " names chunk " + d.id());
            }
            parsed = d;
            json = null;
        }
        return parsed;
    }

    /** The journaled JSON bytes, while not parsed; else the descriptor's JSON. */
    byte[] json() {
        return json != null ? json : ChunkDescriptorJson.toJson(parsed).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "JournaledDescriptor[" + id + (parsed != null ? " parsed]" : "]");
    }
}
