package dev.worker.core.store;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import java.util.List;
import java.util.Map;

/** An accepted change of the desired state, as journaled. */
public sealed interface Intent {
    /** Want this chunk present. */
    record Download(ChunkDescriptor descriptor) implements Intent {
        public Download {
            requireNonNull(descriptor, "descriptor");
        }
    }

    /** Want this chunk absent. */
    record Delete(ChunkId id) implements Intent {
        public Delete {
            requireNonNull(id, "id");
        }
    }

    /** Want exactly these chunks present (also the form of a compaction snapshot). */
    record Assign(List<ChunkDescriptor> chunks) implements Intent {
        public Assign {
            chunks = List.copyOf(chunks);
        }
    }

    /**
     * The journal's own compaction record: exactly these chunks are wanted (like {@link Assign}), with descriptors
     * parsed only when needed. Only the journal writes it.
     */
    record Snapshot(List<JournaledDescriptor> chunks) implements Intent {
        public Snapshot {
            chunks = List.copyOf(chunks);
        }
    }

    /** Replay semantics: applies {@code intent} to a desired set (id to descriptor of the chunks wanted present). */
    static void apply(Intent intent, Map<ChunkId, ChunkDescriptor> desired) {
        switch (intent) {
            case Download d -> desired.put(d.descriptor().id(), d.descriptor());
            case Delete d -> desired.remove(d.id());
            case Assign a -> {
                desired.clear();
                a.chunks().forEach(c -> desired.put(c.id(), c));
            }
            case Snapshot s -> {
                desired.clear();
                s.chunks().forEach(c -> desired.put(c.id(), c.descriptor()));
            }
        }
    }

    /** The same semantics as {@link #apply}, without parsing snapshot descriptors. */
    static void replay(Intent intent, Map<ChunkId, JournaledDescriptor> desired) {
        switch (intent) {
            case Download d -> desired.put(d.descriptor().id(), JournaledDescriptor.of(d.descriptor()));
            case Delete d -> desired.remove(d.id());
            case Assign a -> {
                desired.clear();
                a.chunks().forEach(c -> desired.put(c.id(), JournaledDescriptor.of(c)));
            }
            case Snapshot s -> {
                desired.clear();
                s.chunks().forEach(c -> desired.put(c.id(), c));
            }
        }
    }
}
