package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import java.time.Duration;
import java.util.List;

/** One planned operation against the daemon. */
sealed interface Operation {
    OpKind kind();

    /** Want a chunk: {@code POST /v1/chunks}. */
    record Download(ChunkDescriptor chunk) implements Operation {
        public Download {
            requireNonNull(chunk, "chunk");
        }

        @Override
        public OpKind kind() {
            return OpKind.DOWNLOAD;
        }
    }

    /** Stop wanting a chunk: {@code DELETE /v1/chunks/{id}}. */
    record Delete(ChunkId chunk) implements Operation {
        public Delete {
            requireNonNull(chunk, "chunk");
        }

        @Override
        public OpKind kind() {
            return OpKind.DELETE;
        }
    }

    /** Replace the desired set: {@code PUT /v1/assignment}. */
    record Assign(List<ChunkDescriptor> chunks) implements Operation {
        public Assign {
            chunks = List.copyOf(chunks);
        }

        @Override
        public OpKind kind() {
            return OpKind.ASSIGN;
        }
    }

    /** Which ready chunk holds the block: {@code GET /v1/datasets/{d}/blocks/{b}}. */
    record Find(DatasetId dataset, long block) implements Operation {
        public Find {
            requireNonNull(dataset, "dataset");
            if (block < 0) {
                throw new IllegalArgumentException("block must be >= 0, got " + block);
            }
        }

        @Override
        public OpKind kind() {
            return OpKind.FIND;
        }
    }

    /** Hold the chunk holding the block for {@code hold}, then release it. */
    record Lease(DatasetId dataset, long block, Duration hold) implements Operation {
        public Lease {
            requireNonNull(dataset, "dataset");
            if (block < 0) {
                throw new IllegalArgumentException("block must be >= 0, got " + block);
            }
            if (requireNonNull(hold, "hold").isNegative()) {
                throw new IllegalArgumentException("hold must be >= 0, got " + hold);
            }
        }

        @Override
        public OpKind kind() {
            return OpKind.LEASE;
        }
    }
}
