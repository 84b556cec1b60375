package dev.worker.reliability.refs;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import dev.worker.mock.MockStorage;
import dev.worker.mock.MockStorageConfig;
import dev.worker.reliability.harness.ChunkContent;
import dev.worker.reliability.harness.Convergence;
import dev.worker.reliability.harness.SuiteMain;
import dev.worker.reliability.harness.Violations;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.DaemonProcess;
import dev.worker.testkit.DataDir;
import dev.worker.testkit.Latencies;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Refs under churn: clients take leases and read the leased files while others delete and re-add the same chunks.
 * A leased chunk's files must neither disappear nor change before the lease ends; at the end no lease or ref may be
 * left and the data directory must be clean. Also times how long a deleted chunk's files stay after its last lease
 * is released (the design says within 100 ms). See docs/reliability.md.
 */
public final class RefsSuite {
    /**
     * @param removalLimit how soon after its last lease is released a deleted chunk's directory must be gone (the
     *                     design says 100 ms; the full run allows 1 s, the CI short mode on a loaded machine more)
     */
    public record Config(Duration duration, long seed, Path workDir, int holders, int churners,
            Duration removalLimit) {
        public static Config of(Duration duration, long seed, Path workDir) {
            return new Config(duration, seed, workDir, 6, 2, Duration.ofSeconds(1));
        }
    }

    /** What a run did and found. */
    public record Result(Config config, long leases, long leasesNotFound, long expiredOnPurpose, long reads,
            long churnIntents, String removalAfterRelease, Violations violations, Duration took) {
        public boolean passed() {
            return violations.total() == 0;
        }

        public void print(PrintStream out) {
            out.println("refs suite: seed=" + config.seed() + " duration=" + config.duration().toSeconds() + " s, "
                    + config.holders() + " lease holders, " + config.churners() + " churners; took "
                    + took.toSeconds() + " s");
            out.println("  leases taken: " + leases + " (block not ready: " + leasesNotFound + ", left to expire: "
                    + expiredOnPurpose + "), files read under a lease: " + reads + ", churn intents: "
                    + churnIntents);
            out.println("  a deleted chunk's directory gone after its last lease was released: "
                    + removalAfterRelease);
            violations.print(out);
        }
    }

    private final Config config;
    private final Violations violations = new Violations();
    private final AtomicLong leases = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong churn = new AtomicLong();
    private final Latencies removal = new Latencies();
    private List<ChunkDescriptor> chunks;
    private ChunkContent content;
    private AdminHttp api;
    private volatile long end;

    private RefsSuite(Config config) {
        this.config = config;
    }

    public static void main(String[] args) {
        SuiteMain.run("refs", args, Set.of(), Set.of(), (a, out) -> {
            long seed = a.seed();
            Path work = a.workDir("worker-refs-");
            out.println("refs suite: seed " + seed + ", work dir " + work);
            Result r = run(Config.of(a.duration("duration", Duration.ofSeconds(60)), seed, work));
            r.print(out);
            return r.passed();
        });
    }

    public static Result run(Config config) throws IOException, InterruptedException {
        return new RefsSuite(config).runAll();
    }

    private Result runAll() throws IOException, InterruptedException {
        long start = System.nanoTime();
        DataDir dir = new DataDir(config.workDir().resolve("data"));
        try (MockStorage storage = MockStorage.start(MockStorageConfig.builder().seed(config.seed()).datasets(2)
                .chunks(8).filesPerChunk(2).chunkSize(512 << 10).build())) {
            chunks = storage.manifest();
            content = new ChunkContent(storage.content(), chunks);
            List<ChunkId> ids = chunks.stream().map(ChunkDescriptor::id).toList();
            try (DaemonProcess daemon = DaemonProcess.start(config.workDir().resolve("daemon.log"), "256m", List.of(
                    "--data-dir", dir.root().toString(), "--listen", "127.0.0.1:0", "--min-free", "0"), null)) {
                api = new AdminHttp(daemon.url(Duration.ofSeconds(30)), Optional.empty(), Duration.ofSeconds(30));
                daemon.awaitReady(api, Duration.ofSeconds(60));
                assignAll();
                Convergence.await(api, dir, content, ids, id -> Set.of(true), Duration.ofSeconds(60),
                        Duration.ofSeconds(3), violations, "initial download");
                end = System.nanoTime() + config.duration().toNanos();
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < config.holders(); i++) {
                    long seed = config.seed() * 31 + i;
                    threads.add(Thread.ofPlatform().name("holder-" + i).start(() -> hold(new SplittableRandom(seed))));
                }
                for (int i = 0; i < config.churners(); i++) {
                    long seed = config.seed() * 37 + i;
                    threads.add(Thread.ofPlatform().name("churner-" + i)
                            .start(() -> churn(new SplittableRandom(seed))));
                }
                threads.add(Thread.ofPlatform().name("removal-timer").start(() -> timeRemovals(dir)));
                for (Thread t : threads) {
                    t.join();
                }
                // Leases left to expire (ttl 2 s) must be gone by themselves.
                Thread.sleep(2_500);
                assignAll();
                Convergence.await(api, dir, content, ids, id -> Set.of(true), Duration.ofSeconds(60),
                        Duration.ofSeconds(3), violations, "after the churn");
                checkNothingHeld();
                int code = daemon.terminate(Duration.ofSeconds(60));
                if (code != 0) {
                    violations.add("graceful_exit", "the daemon exited " + code);
                }
                if (daemon.errorLines() > 0) {
                    violations.add("daemon_error_log", daemon.errorLines() + " ERROR line(s), e.g. "
                            + daemon.errorSamples());
                }
            } finally {
                if (api != null) {
                    api.close();
                }
            }
        }
        return new Result(config, leases.get(), notFound.get(), abandoned.get(), reads.get(), churn.get(),
                removal.describe(), violations, Duration.ofNanos(System.nanoTime() - start));
    }

    private void assignAll() {
        StringBuilder body = new StringBuilder("{\"chunks\":[");
        for (int i = 0; i < chunks.size(); i++) {
            body.append(i == 0 ? "" : ",").append(ChunkDescriptorJson.toJson(chunks.get(i)));
        }
        AdminHttp.Reply r = api.put("/v1/assignment", body.append("]}").toString());
        if (r.status() != 200) {
            violations.add("intent_refused", "PUT /v1/assignment answered " + r);
        }
    }

    private boolean running() {
        return System.nanoTime() < end;
    }

    // ---- lease holders -----------------------------------------------------------------------------------------

    /** A file's identity and content as first seen under a lease. */
    private record Seen(Object key, long size, long modified) {
    }

    private void hold(SplittableRandom random) {
        while (running()) {
            // Chunk 0 belongs to the removal timer.
            ChunkDescriptor d = chunks.get(1 + random.nextInt(chunks.size() - 1));
            boolean leaveToExpire = random.nextInt(20) == 0;
            AdminHttp.Reply r = api.post("/v1/leases", "{\"dataset_id\":\"" + d.datasetId() + "\",\"block\":"
                    + (d.range().start() + random.nextLong(d.range().end() - d.range().start()))
                    + ",\"ttl_seconds\":" + (leaveToExpire ? 2 : 30) + "}");
            if (r.status() == 404) {
                notFound.incrementAndGet();
                continue;
            }
            if (r.status() != 201) {
                violations.add("lease_refused", "POST /v1/leases answered " + r);
                continue;
            }
            leases.incrementAndGet();
            String leaseId = r.json().path("lease_id").asText();
            ChunkId id = ChunkId.parse(r.json().path("chunk").path("id").asText());
            Path path = Path.of(r.json().path("path").asText());
            Map<String, Seen> seen = look(id, path, null);
            try {
                Thread.sleep(random.nextInt(0, 60));
            } catch (InterruptedException e) {
                return;
            }
            look(id, path, seen);
            if (leaveToExpire) {
                abandoned.incrementAndGet();
                continue;
            }
            AdminHttp.Reply released = api.delete("/v1/leases/" + leaseId);
            if (released.status() != 204) {
                violations.add("lease_release", "DELETE /v1/leases/" + leaseId + " answered " + released);
            }
        }
    }

    /** Reads every file of the leased chunk, checks it, and (the second time) that it is the same file as before. */
    private Map<String, Seen> look(ChunkId id, Path path, Map<String, Seen> before) {
        Optional<String> problem = content.check(id, path, true);
        reads.incrementAndGet();
        problem.ifPresent(p -> violations.add("leased_files_changed", "while leased: " + p));
        Map<String, Seen> now = new HashMap<>();
        for (String name : content.descriptor(id).orElseThrow().files().keySet()) {
            try {
                BasicFileAttributes a = Files.readAttributes(path.resolve(name), BasicFileAttributes.class);
                Seen s = new Seen(a.fileKey(), a.size(), a.lastModifiedTime().toMillis());
                now.put(name, s);
                if (before != null && !s.equals(before.get(name))) {
                    violations.add("leased_files_changed", "chunk " + Convergence.short8(id) + " file " + name
                            + " changed while leased: " + before.get(name) + " -> " + s);
                }
            } catch (IOException e) {
                violations.add("leased_files_changed", "chunk " + Convergence.short8(id) + " file " + name
                        + " unreadable while leased: " + e);
            }
        }
        return now;
    }

    // ---- churners ----------------------------------------------------------------------------------------------

    private void churn(SplittableRandom random) {
        while (running()) {
            ChunkDescriptor d = chunks.get(1 + random.nextInt(chunks.size() - 1));
            // Deletes and re-adds only: an assignment would also touch chunk 0, which the removal timer owns.
            AdminHttp.Reply r = random.nextBoolean() ? api.delete("/v1/chunks/" + d.id())
                    : api.post("/v1/chunks", ChunkDescriptorJson.toJson(d));
            churn.incrementAndGet();
            if (!r.ok()) {
                violations.add("intent_refused", "churn intent answered " + r);
            }
            try {
                Thread.sleep(random.nextInt(0, 30));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---- removal timing ----------------------------------------------------------------------------------------

    /** Lease chunk 0, delete it, release the lease, and time until its directory is gone; then want it again. */
    private void timeRemovals(DataDir dir) {
        ChunkDescriptor d = chunks.getFirst();
        Path chunkDir = dir.chunks().resolve(d.id().toString());
        while (running()) {
            try {
                AdminHttp.Reply lease = api.post("/v1/leases", "{\"dataset_id\":\"" + d.datasetId()
                        + "\",\"block\":" + d.range().start() + ",\"ttl_seconds\":30}");
                if (lease.status() != 201) {
                    api.post("/v1/chunks", ChunkDescriptorJson.toJson(d));
                    Thread.sleep(100);
                    continue;
                }
                api.delete("/v1/chunks/" + d.id());
                if (!Files.isDirectory(chunkDir)) {
                    violations.add("leased_files_changed", "chunk 0's directory left while its lease was held");
                }
                AdminHttp.Reply released = api.delete("/v1/leases/" + lease.json().path("lease_id").asText());
                long releasedAt = System.nanoTime();
                if (released.status() != 204) {
                    violations.add("lease_release", "releasing chunk 0's lease answered " + released);
                }
                long stuckAfter = Math.max(TimeUnit.SECONDS.toNanos(5), 2 * config.removalLimit().toNanos());
                while (Files.exists(chunkDir) && System.nanoTime() - releasedAt < stuckAfter) {
                    Thread.sleep(1);
                }
                long nanos = System.nanoTime() - releasedAt;
                if (Files.exists(chunkDir)) {
                    violations.add("removal_stuck", "chunk 0's directory was still there "
                            + TimeUnit.NANOSECONDS.toMillis(stuckAfter) + " ms after its last lease was released");
                } else {
                    removal.record(nanos);
                    if (nanos > config.removalLimit().toNanos()) {
                        violations.add("removal_slow", "chunk 0's directory left " + nanos / 1_000_000
                                + " ms after its last lease was released (the design says 100 ms)");
                    }
                }
                api.post("/v1/chunks", ChunkDescriptorJson.toJson(d));
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---- the end -----------------------------------------------------------------------------------------------

    private void checkNothingHeld() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String last = "";
        while (System.nanoTime() < deadline) {
            Map<String, Double> m = api.metrics();
            double leasesActive = m.getOrDefault("worker_leases_active", -1.0);
            double refsActive = m.getOrDefault("worker_refs_active", -1.0);
            AdminHttp.Reply list = api.get("/v1/chunks");
            int refs = 0;
            if (list.status() == 200) {
                for (var c : list.json().path("chunks")) {
                    refs += c.path("refs").asInt();
                }
            }
            if (leasesActive == 0 && refsActive == 0 && refs == 0) {
                return;
            }
            last = "worker_leases_active=" + leasesActive + " worker_refs_active=" + refsActive + " refs in "
                    + "/v1/chunks=" + refs;
            Thread.sleep(250);
        }
        violations.add("refs_left", "10 s after the churn: " + last);
    }
}
