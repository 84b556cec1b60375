package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.DatasetId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seeded sequence of operations: operation {@code i} is a pure function of (seed, i, mix, chunks), so a run is
 * reproducible whatever the number of workers drawing from it (only their interleaving differs).
 *
 * <ul>
 *   <li>download and delete pick a chunk uniformly;</li>
 *   <li>assign draws a share from 0 to 1, then keeps each chunk with that probability;</li>
 *   <li>find and lease pick a chunk and a block in its range, or (one time in ten) a block past the highest range
 *       of its dataset, which no chunk holds;</li>
 *   <li>a lease is held from 0 to {@link #MAX_HOLD} before it is released.</li>
 * </ul>
 */
final class OperationPlan {
    static final Duration MAX_HOLD = Duration.ofMillis(50);
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final OperationMix mix;
    private final ChunkCatalog catalog;

    OperationPlan(long seed, OperationMix mix, ChunkCatalog catalog) {
        this.seed = seed;
        this.mix = requireNonNull(mix, "mix");
        this.catalog = requireNonNull(catalog, "catalog");
    }

    Operation operation(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, got " + index);
        }
        SplittableRandom random = new SplittableRandom(mix64(seed + (index + 1) * GAMMA));
        OpKind kind = mix.pick(random.nextInt(mix.total()));
        return switch (kind) {
            case DOWNLOAD -> new Operation.Download(anyChunk(random));
            case DELETE -> new Operation.Delete(anyChunk(random).id());
            case ASSIGN -> new Operation.Assign(subset(random));
            case FIND -> {
                ChunkDescriptor chunk = anyChunk(random);
                yield new Operation.Find(chunk.datasetId(), block(random, chunk));
            }
            case LEASE -> {
                ChunkDescriptor chunk = anyChunk(random);
                Duration hold = Duration.ofMillis(random.nextLong(MAX_HOLD.toMillis() + 1));
                yield new Operation.Lease(chunk.datasetId(), block(random, chunk), hold);
            }
        };
    }

    private ChunkDescriptor anyChunk(SplittableRandom random) {
        return catalog.get(random.nextInt(catalog.size()));
    }

    private List<ChunkDescriptor> subset(SplittableRandom random) {
        double share = random.nextDouble();
        List<ChunkDescriptor> chosen = new ArrayList<>();
        for (ChunkDescriptor chunk : catalog.chunks()) {
            if (random.nextDouble() < share) {
                chosen.add(chunk);
            }
        }
        return chosen;
    }

    private long block(SplittableRandom random, ChunkDescriptor chunk) {
        DatasetId dataset = chunk.datasetId();
        if (random.nextInt(10) == 0) {
            return catalog.endOf(dataset) + random.nextLong(1000);
        }
        return random.nextLong(chunk.range().start(), chunk.range().end());
    }

    /** SplitMix64's output function: neighbouring indexes get unrelated generators. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
