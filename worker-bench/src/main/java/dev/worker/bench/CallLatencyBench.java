package dev.worker.bench;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkRef;
import dev.worker.core.ChunkState;
import dev.worker.core.DatasetId;
import dev.worker.core.ManagerConfig;
import dev.worker.core.ManagerStats;
import dev.worker.core.WorkerDataManager;
import dev.worker.mock.FaultConfig;
import dev.worker.mock.MockStorage;
import dev.worker.mock.MockStorageConfig;
import dev.worker.testkit.Latencies;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency of the manager's calls while it is busy: {@code download}, {@code delete} and {@code find} (+ close of the
 * ref), each timed on its own, while {@code transfers} file transfers run for the whole measurement. The transfers
 * come from an in-process mock storage whose total bandwidth is capped, so they neither finish nor saturate the
 * CPU; the ready chunks for {@code find} are laid out by {@link DataDirGenerator}. The calls: half finds of a random
 * block, a quarter downloads and a quarter deletes of chunks drawn from a pool of small chunks (they stay queued
 * behind the transfers, so the calls create and cancel work without adding transfers). One caller thread issues
 * them at a steady {@code rate} (an open loop: the schedule does not wait for slow calls, and a call's time is its
 * own, from entry to return; the returned futures are not awaited).
 *
 * <p>The machine's limit is measured first, in the same JVM and at the same rate: how long the caller takes to
 * unpark a parked thread ({@link LockSupport#unpark}). A call that hands work to another thread (a download starts
 * the chunk's virtual thread and wakes the journal writer; a delete of a transfer wakes its threads) cannot be
 * faster than that, and on two cores the woken thread may also preempt the caller.
 *
 * <p>Prints one JSON object. Usage: {@code CallLatencyBench [--dir DIR] [--ready N] [--transfers N] [--seconds S]
 * [--warmup S] [--rate OPS_PER_S] [--bandwidth BYTES_PER_S]}
 */
public final class CallLatencyBench {
    private static final int POOL = 512;
    private static final int DATASETS = 10;

    /** What to run. */
    public record Options(Path dir, int readyChunks, int transfers, int seconds, int warmupSeconds, int rate,
            long bandwidth) {
    }

    private CallLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args, List.of("dir", "ready", "transfers", "seconds", "warmup", "rate", "bandwidth"),
                "CallLatencyBench [--dir DIR] [--ready N] [--transfers N] [--seconds S] [--warmup S] [--rate OPS_PER_S]"
                        + " [--bandwidth BYTES_PER_S]");
        Options options = new Options(a.path("dir", System.getProperty("java.io.tmpdir") + "/call-latency"),
                a.intValue("ready", 100_000), a.intValue("transfers", 16), a.intValue("seconds", 30),
                a.intValue("warmup", 10), a.intValue("rate", 10_000), a.longValue("bandwidth", 16_000_000));
        System.out.println(run(options));
    }

    /** Runs the measurement and returns its JSON. */
    public static String run(Options o) throws IOException, InterruptedException, TimeoutException {
        Latencies wake = wakeups(o.rate(), Math.max(1, o.seconds() / 3));
        Path dir = o.dir().resolve("data");
        Trees.deleteRecursively(dir);
        Files.createDirectories(o.dir());
        DataDirGenerator.generate(dir, o.readyChunks(), DATASETS, 1, 64);
        // Transfers that last: 1 GiB files at bandwidth / transfers bytes per second each.
        MockStorageConfig loadConfig = MockStorageConfig.builder().seed(11).datasets(1).chunks(o.transfers())
                .filesPerChunk(1).chunkSize(1L << 30).checksums(false)
                .faults(FaultConfig.builder().totalBandwidth(o.bandwidth()).build()).build();
        MockStorageConfig poolConfig = MockStorageConfig.builder().seed(12).datasets(2).chunks(POOL).filesPerChunk(1)
                .chunkSize(64 << 10).checksums(false).build();
        try (MockStorage load = MockStorage.start(loadConfig);
                MockStorage poolStorage = MockStorage.start(poolConfig)) {
            List<ChunkDescriptor> pool = poolStorage.manifest();
            WorkerDataManager manager = WorkerDataManager.open(ManagerConfig.builder(dir).minFreeBytes(0)
                    .maxConcurrentTransfers(o.transfers()).build());
            try {
                if (manager.list().size() != o.readyChunks()) {
                    throw new IllegalStateException("expected " + o.readyChunks() + " ready chunks, got "
                            + manager.list().size());
                }
                load.manifest().forEach(manager::download);
                awaitTransfers(manager, o.transfers(), Duration.ofSeconds(30));
                DatasetId[] datasets = new DatasetId[DATASETS];
                for (int i = 0; i < DATASETS; i++) {
                    datasets[i] = DataDirGenerator.dataset(i);
                }
                long maxBlock = (long) (o.readyChunks() / DATASETS) * DataDirGenerator.BLOCKS_PER_CHUNK;
                Latencies[] warm = loop(manager, datasets, maxBlock, pool, o.rate(), o.warmupSeconds(), 1);
                int transfersAtStart = downloading(manager.stats());
                long bytesAtStart = manager.stats().bytesDownloaded();
                long gcCount = gcCount();
                long gcMillis = gcMillis();
                long started = System.nanoTime();
                Latencies[] measured = loop(manager, datasets, maxBlock, pool, o.rate(), o.seconds(), 2);
                double elapsed = (System.nanoTime() - started) / 1e9;
                ManagerStats end = manager.stats();
                int transfersAtEnd = downloading(end);
                return String.format(Locale.ROOT, "{\"ready_chunks\": %d, \"transfers\": %d, \"rate_per_s\": %d,"
                                + " \"seconds\": %d, \"warmup_calls\": %d, \"transfers_downloading_at_start\": %d,"
                                + " \"transfers_downloading_at_end\": %d, \"download_mbps_during\": %.1f,"
                                + " \"gc_count\": %d, \"gc_ms\": %d, \"ops\": {\"find\": %s, \"download\": %s,"
                                + " \"delete\": %s}, \"limit_unpark\": %s}", o.readyChunks(), o.transfers(), o.rate(),
                        o.seconds(),
                        warm[0].count() + warm[1].count() + warm[2].count(), transfersAtStart, transfersAtEnd,
                        (end.bytesDownloaded() - bytesAtStart) / elapsed / 1e6, gcCount() - gcCount,
                        gcMillis() - gcMillis, measured[0].summary().toJson(), measured[1].summary().toJson(),
                        measured[2].summary().toJson(), wake.summary().toJson());
            } finally {
                manager.close();
                Trees.deleteRecursively(dir);
            }
        }
    }

    /** Issues calls at {@code rate} per second for {@code seconds}; returns find, download, delete latencies. */
    private static Latencies[] loop(WorkerDataManager manager, DatasetId[] datasets, long maxBlock,
            List<ChunkDescriptor> pool, int rate, int seconds, long seed) {
        int expected = rate * seconds;
        Latencies find = new Latencies(expected / 2);
        Latencies download = new Latencies(expected / 4);
        Latencies delete = new Latencies(expected / 4);
        SplittableRandom random = new SplittableRandom(seed);
        paced(rate, seconds, () -> {
            int op = random.nextInt(4);
            if (op < 2) {
                DatasetId dataset = datasets[random.nextInt(datasets.length)];
                long block = random.nextLong(maxBlock);
                long t0 = System.nanoTime();
                ChunkRef ref = manager.find(dataset, block).orElseThrow();
                ref.close();
                find.record(System.nanoTime() - t0);
            } else if (op == 2) {
                ChunkDescriptor d = pool.get(random.nextInt(pool.size()));
                long t0 = System.nanoTime();
                manager.download(d);
                download.record(System.nanoTime() - t0);
            } else {
                ChunkDescriptor d = pool.get(random.nextInt(pool.size()));
                long t0 = System.nanoTime();
                manager.delete(d.id());
                delete.record(System.nanoTime() - t0);
            }
        });
        return new Latencies[] {find, download, delete};
    }

    /** Runs {@code tick} {@code rate} times a second for {@code seconds}, on this thread, catching up when late. */
    private static void paced(int rate, int seconds, Runnable tick) {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long next = start;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return;
            }
            if (next > now) {
                LockSupport.parkNanos(next - now);
                continue;
            }
            next += interval;
            tick.run();
        }
    }

    /** The time to unpark a parked platform thread, {@code rate} times a second for {@code seconds}. */
    private static Latencies wakeups(int rate, int seconds) throws InterruptedException {
        Latencies wake = new Latencies(rate * seconds);
        AtomicBoolean stop = new AtomicBoolean();
        Thread sleeper = Thread.ofPlatform().name("parked").start(() -> {
            while (!stop.get()) {
                LockSupport.park();
            }
        });
        paced(rate, seconds, () -> {
            long t0 = System.nanoTime();
            LockSupport.unpark(sleeper);
            wake.record(System.nanoTime() - t0);
        });
        stop.set(true);
        LockSupport.unpark(sleeper);
        sleeper.join();
        return wake;
    }

    private static void awaitTransfers(WorkerDataManager manager, int transfers, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (downloading(manager.stats()) < transfers) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("only " + downloading(manager.stats()) + " of " + transfers
                        + " transfers started within " + timeout);
            }
            Thread.sleep(10);
        }
    }

    private static int downloading(ManagerStats stats) {
        return stats.chunks().getOrDefault(ChunkState.DOWNLOADING, 0);
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static long gcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionTime());
        }
        return n;
    }
}
