package dev.worker.bench;

import dev.worker.core.ChunkRef;
import dev.worker.core.DatasetId;
import dev.worker.core.ManagerConfig;
import dev.worker.core.WorkerDataManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** find + close of the ref over many ready chunks in several datasets. Run with -t 1 and -t 2. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class FindBenchmark {
    @Param("100000")
    public int chunks;

    @Param("10")
    public int datasets;

    private Path dir;
    private WorkerDataManager manager;
    private DatasetId[] datasetIds;
    private long maxBlock;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
                : Path.of(System.getProperty("java.io.tmpdir"));
        dir = Files.createTempDirectory(base, "find-bench");
        DataDirGenerator.generate(dir, chunks, datasets, 1, 16);
        manager = WorkerDataManager.open(ManagerConfig.builder(dir).minFreeBytes(0).build());
        datasetIds = new DatasetId[datasets];
        for (int i = 0; i < datasets; i++) {
            datasetIds[i] = DataDirGenerator.dataset(i);
        }
        maxBlock = (long) (chunks / datasets) * DataDirGenerator.BLOCKS_PER_CHUNK;
        if (manager.list().size() != chunks) {
            throw new IllegalStateException("expected " + chunks + " ready chunks, got " + manager.list().size());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        manager.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Object findAndClose() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Optional<ChunkRef> ref = manager.find(datasetIds[random.nextInt(datasetIds.length)], random.nextLong(maxBlock));
        ChunkRef r = ref.orElseThrow();
        r.close();
        return r;
    }
}
