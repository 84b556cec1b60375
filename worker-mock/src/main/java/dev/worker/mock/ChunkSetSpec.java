package dev.worker.mock;

import dev.worker.core.ChunkDescriptor;

/**
 * The parameters a {@link SyntheticChunkSet} is generated from; the same spec always yields the same set.
 *
 * @param seed           everything (ids, block ranges, sizes, content) derives from it
 * @param datasets       the number of datasets the chunks are spread over, round-robin
 * @param chunks         the total number of chunks
 * @param filesPerChunk  1 to {@value ChunkDescriptor#MAX_FILES}
 * @param chunkSize      the bytes of each chunk, split over its files (each file has at least 1 byte)
 * @param blocksPerChunk the blocks each chunk covers; 0 draws a length from 100 to 10,000 per chunk
 */
public record ChunkSetSpec(long seed, int datasets, int chunks, int filesPerChunk, long chunkSize, int blocksPerChunk) {
    public static final int DEFAULT_DATASETS = 4;
    public static final int DEFAULT_CHUNKS = 64;
    public static final int DEFAULT_FILES_PER_CHUNK = 5;
    public static final long DEFAULT_CHUNK_SIZE = 200L << 20;

    public ChunkSetSpec {
        if (datasets < 1) {
            throw new IllegalArgumentException("datasets must be >= 1, got " + datasets);
        }
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be >= 1, got " + chunks);
        }
        if (filesPerChunk < 1 || filesPerChunk > ChunkDescriptor.MAX_FILES) {
            throw new IllegalArgumentException(
                    "files per chunk must be 1 to " + ChunkDescriptor.MAX_FILES + ", got " + filesPerChunk);
        }
        if (chunkSize < filesPerChunk) {
            throw new IllegalArgumentException("chunk size must be at least 1 byte per file (" + filesPerChunk
                    + " files), got " + chunkSize);
        }
        if (blocksPerChunk < 0) {
            throw new IllegalArgumentException("blocks per chunk must be >= 0 (0 = varied), got " + blocksPerChunk);
        }
    }

    /** The defaults: 64 chunks of 200 MiB in 4 datasets, 5 files each, varied block ranges, seed 0. */
    public static ChunkSetSpec defaults() {
        return new ChunkSetSpec(0, DEFAULT_DATASETS, DEFAULT_CHUNKS, DEFAULT_FILES_PER_CHUNK, DEFAULT_CHUNK_SIZE, 0);
    }

    /** The bytes of the whole set. */
    public long totalSize() {
        return Math.multiplyExact(chunkSize, (long) chunks);
    }
}
