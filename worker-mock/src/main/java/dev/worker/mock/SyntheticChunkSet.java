package dev.worker.mock;

import static java.util.Objects.requireNonNull;

import dev.worker.core.BlockRange;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A deterministic synthetic chunk set: the same {@link ChunkSetSpec} always yields the same datasets, chunks, block
 * ranges, file names, sizes and paths.
 *
 * <ul>
 *   <li>Dataset {@code i}'s id is SHA-256({@code "dataset/<seed>/<i>"}).</li>
 *   <li>Chunk {@code j} belongs to dataset {@code j % datasets} (round-robin); each dataset's chunks cover
 *       consecutive half-open block ranges from a seeded base block.</li>
 *   <li>A chunk's properties derive from (seed, dataset, position in the dataset) only, so a larger {@code chunks}
 *       keeps every chunk of a smaller one and appends.</li>
 *   <li>A chunk's id is the SHA-256 of its seed, dataset, block range and file names and sizes: different content,
 *       different id (ids name content).</li>
 *   <li>File paths are {@code /<dataset hex>/<start block, 10 digits>-<first 8 hex of the chunk id>/<file name>}.</li>
 * </ul>
 */
public final class SyntheticChunkSet {
    /** The names of a chunk's first files; later ones are {@code file<k>.parquet}. */
    public static final List<String> STANDARD_FILE_NAMES = List.of(
            "blocks.parquet", "transactions.parquet", "logs.parquet", "traces.parquet", "statediffs.parquet");
    public static final int MIN_BLOCKS = 100;
    public static final int MAX_BLOCKS = 10_000;
    private static final long MAX_BASE_BLOCK = 20_000_000;

    private final ChunkSetSpec spec;
    private final List<DatasetId> datasets;
    private final List<SyntheticChunk> chunks;
    private final Map<String, SyntheticFile> filesByPath;

    private SyntheticChunkSet(ChunkSetSpec spec, List<DatasetId> datasets, List<SyntheticChunk> chunks) {
        this.spec = spec;
        this.datasets = List.copyOf(datasets);
        this.chunks = List.copyOf(chunks);
        Map<String, SyntheticFile> byPath = HashMap.newHashMap(chunks.size() * spec.filesPerChunk());
        for (SyntheticChunk chunk : chunks) {
            for (SyntheticFile file : chunk.files()) {
                if (byPath.put(file.path(), file) != null) {
                    throw new IllegalStateException("duplicate path " + file.path());
                }
            }
        }
        this.filesByPath = byPath;
    }

    public static SyntheticChunkSet generate(ChunkSetSpec spec) {
        requireNonNull(spec, "spec");
        long seed = spec.seed();
        List<DatasetId> datasets = new ArrayList<>(spec.datasets());
        long[] nextBlock = new long[spec.datasets()];
        for (int d = 0; d < spec.datasets(); d++) {
            datasets.add(new DatasetId(Hashing.sha256("dataset/" + seed + "/" + d)));
            nextBlock[d] = random(seed, "base/" + d).nextLong(MAX_BASE_BLOCK);
        }
        List<SyntheticChunk> chunks = new ArrayList<>(spec.chunks());
        for (int j = 0; j < spec.chunks(); j++) {
            int d = j % spec.datasets();
            SplittableRandom random = random(seed, "chunk/" + d + "/" + (j / spec.datasets()));
            long blocks = spec.blocksPerChunk() > 0
                    ? spec.blocksPerChunk()
                    : random.nextInt(MIN_BLOCKS, MAX_BLOCKS + 1);
            BlockRange range = new BlockRange(nextBlock[d], nextBlock[d] + blocks);
            nextBlock[d] = range.end();
            chunks.add(chunk(seed, datasets.get(d), range, split(spec.chunkSize(), spec.filesPerChunk(), random)));
        }
        return new SyntheticChunkSet(spec, datasets, chunks);
    }

    public ChunkSetSpec spec() {
        return spec;
    }

    /** All datasets, including any left without chunks when there are fewer chunks than datasets. */
    public List<DatasetId> datasets() {
        return datasets;
    }

    /** The chunks in generation order (round-robin over the datasets). */
    public List<SyntheticChunk> chunks() {
        return chunks;
    }

    public Optional<SyntheticFile> file(String path) {
        return Optional.ofNullable(filesByPath.get(path));
    }

    public int fileCount() {
        return filesByPath.size();
    }

    public long totalSize() {
        return spec.totalSize();
    }

    static String fileName(int index) {
        return index < STANDARD_FILE_NAMES.size() ? STANDARD_FILE_NAMES.get(index) : "file" + index + ".parquet";
    }

    private static SyntheticChunk chunk(long seed, DatasetId dataset, BlockRange range, long[] sizes) {
        StringBuilder identity = new StringBuilder("chunk/").append(seed).append('/').append(dataset)
                .append('/').append(range);
        for (int k = 0; k < sizes.length; k++) {
            identity.append('/').append(fileName(k)).append(':').append(sizes[k]);
        }
        ChunkId id = new ChunkId(Hashing.sha256(identity.toString()));
        String dir = String.format(Locale.ROOT, "/%s/%010d-%s/", dataset, range.start(), id.toString().substring(0, 8));
        List<SyntheticFile> files = new ArrayList<>(sizes.length);
        for (int k = 0; k < sizes.length; k++) {
            files.add(new SyntheticFile(fileName(k), dir + fileName(k), sizes[k]));
        }
        return new SyntheticChunk(id, dataset, range, files);
    }

    /** Splits {@code total} bytes into {@code n} sizes of at least 1 byte, varied by weights from 0.5 to 1.5. */
    private static long[] split(long total, int n, SplittableRandom random) {
        double[] weights = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            weights[k] = 0.5 + random.nextDouble();
            sum += weights[k];
        }
        long spare = total - n;
        long[] sizes = new long[n];
        long assigned = 0;
        for (int k = 0; k < n; k++) {
            long extra = (long) Math.floor(spare * (weights[k] / sum));
            sizes[k] = 1 + extra;
            assigned += extra;
        }
        // INVARIANT: sizes sum to total; the rounding remainder goes to the first file.
        sizes[0] += spare - assigned;
        return sizes;
    }

    private static SplittableRandom random(long seed, String what) {
        return new SplittableRandom(Hashing.sha256("layout/" + seed + "/" + what).w0());
    }
}
