package dev.worker.core;

import static java.util.Objects.requireNonNull;

/** A download asked for a chunk id the manager already wants with a different descriptor (ids name content). */
public final class ConflictingDescriptorException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient ChunkDescriptor existing;
    private final transient ChunkDescriptor requested;

    public ConflictingDescriptorException(ChunkDescriptor existing, ChunkDescriptor requested) {
        super("chunk " + existing.id() + " is already known with a different descriptor; ids name content, so "
                + "delete it first to change its descriptor");
        this.existing = requireNonNull(existing, "existing");
        this.requested = requireNonNull(requested, "requested");
    }

    public ChunkDescriptor existing() {
        return existing;
    }

    public ChunkDescriptor requested() {
        return requested;
    }
}
