package dev.worker.mock;

import static java.util.Objects.requireNonNull;

/**
 * How to run a {@link MockStorage}.
 *
 * @param host      the address to listen on (default {@value #DEFAULT_HOST})
 * @param port      the port to listen on; 0 picks a free one
 * @param chunkSet  the synthetic chunk set to serve
 * @param checksums whether the manifest carries each file's SHA-256 (computed on the first manifest request)
 * @param faults    the faults injected at start; changeable at runtime with {@link MockStorage#faults(FaultConfig)}
 */
public record MockStorageConfig(String host, int port, ChunkSetSpec chunkSet, boolean checksums, FaultConfig faults) {
    public static final String DEFAULT_HOST = "127.0.0.1";

    public MockStorageConfig {
        requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535 (0 = any free port), got " + port);
        }
        requireNonNull(chunkSet, "chunkSet");
        requireNonNull(faults, "faults");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link MockStorageConfig}; unset values are the defaults of {@link ChunkSetSpec#defaults()}. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port;
        private long seed;
        private int datasets = ChunkSetSpec.DEFAULT_DATASETS;
        private int chunks = ChunkSetSpec.DEFAULT_CHUNKS;
        private int filesPerChunk = ChunkSetSpec.DEFAULT_FILES_PER_CHUNK;
        private long chunkSize = ChunkSetSpec.DEFAULT_CHUNK_SIZE;
        private int blocksPerChunk;
        private boolean checksums = true;
        private FaultConfig faults = FaultConfig.NONE;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder datasets(int datasets) {
            this.datasets = datasets;
            return this;
        }

        public Builder chunks(int chunks) {
            this.chunks = chunks;
            return this;
        }

        public Builder filesPerChunk(int filesPerChunk) {
            this.filesPerChunk = filesPerChunk;
            return this;
        }

        public Builder chunkSize(long bytes) {
            this.chunkSize = bytes;
            return this;
        }

        /** 0 (the default) draws each chunk's block count from 100 to 10,000. */
        public Builder blocksPerChunk(int blocksPerChunk) {
            this.blocksPerChunk = blocksPerChunk;
            return this;
        }

        public Builder chunkSet(ChunkSetSpec spec) {
            seed = spec.seed();
            datasets = spec.datasets();
            chunks = spec.chunks();
            filesPerChunk = spec.filesPerChunk();
            chunkSize = spec.chunkSize();
            blocksPerChunk = spec.blocksPerChunk();
            return this;
        }

        public Builder checksums(boolean checksums) {
            this.checksums = checksums;
            return this;
        }

        public Builder faults(FaultConfig faults) {
            this.faults = faults;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid value */
        public MockStorageConfig build() {
            return new MockStorageConfig(host, port,
                    new ChunkSetSpec(seed, datasets, chunks, filesPerChunk, chunkSize, blocksPerChunk),
                    checksums, faults);
        }
    }
}
