package dev.worker.reliability.crash;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import dev.worker.mock.FaultConfig;
import dev.worker.mock.MockStorage;
import dev.worker.mock.MockStorageConfig;
import dev.worker.reliability.crash.IntentModel.Want;
import dev.worker.reliability.harness.ChunkContent;
import dev.worker.reliability.harness.Convergence;
import dev.worker.reliability.harness.SuiteMain;
import dev.worker.reliability.harness.Violations;
import dev.worker.reliability.harness.VisibilityProbe;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.DaemonProcess;
import dev.worker.testkit.DataDir;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The crash suite: a daemon child process churned through its API and killed with SIGKILL at seeded moments aimed at
 * one phase each (transfers, publish, removal, journal writes, recovery), then restarted. After every restart the
 * daemon must converge to what it acknowledged; nothing torn may ever be visible or published; {@code tmp/} and
 * {@code trash/} must end empty. See docs/reliability.md.
 */
public final class CrashSuite {
    /** Where a kill is aimed. */
    enum Phase {
        TRANSFER, PUBLISH, REMOVAL, JOURNAL, RECOVERY
    }

    /**
     * @param churnBandwidth per-connection byte rate of the storage during churn, so transfers last long enough to
     *                       be hit; 0 for unlimited
     */
    public record Config(int iterations, long seed, Path workDir, int chunks, int filesPerChunk, long chunkSize,
            long churnBandwidth, Duration convergeTimeout) {
        public static Config of(int iterations, long seed, Path workDir) {
            return new Config(iterations, seed, workDir, 40, 3, 3_840L << 10, 4L << 20, Duration.ofSeconds(120));
        }
    }

    /** What a run did and found. */
    public record Result(Config config, Map<Phase, Integer> kills, Map<String, Integer> observed, int acked,
            int unanswered, long probes, Violations violations, Duration took) {
        public boolean passed() {
            return violations.total() == 0;
        }

        public void print(PrintStream out) {
            int total = kills.values().stream().mapToInt(Integer::intValue).sum();
            out.println("crash suite: seed=" + config.seed() + " iterations=" + config.iterations() + " chunks="
                    + config.chunks() + "x" + config.filesPerChunk() + " files, " + (config.chunkSize() >> 10)
                    + " KiB each; took " + took.toSeconds() + " s");
            out.println("  kills: " + total + " " + kills);
            out.println("  state on disk at the kills: " + observed);
            out.println("  intents acknowledged: " + acked + ", sent but unanswered: " + unanswered);
            out.println("  chunks read under a lease while churning: " + probes);
            violations.print(out);
        }
    }

    private final Config config;
    private final SplittableRandom random;
    private final Violations violations = new Violations();
    private final Map<Phase, Integer> kills = new EnumMap<>(Phase.class);
    private final Map<String, Integer> observed = new TreeMap<>();
    private final AtomicReference<AdminHttp> api = new AtomicReference<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(8, Thread.ofPlatform().daemon()
            .name("crash-churn-", 0).factory());
    private MockStorage storage;
    private ChunkContent content;
    private Map<ChunkId, ChunkDescriptor> descriptors;
    private IntentModel model;
    private DataDir dir;
    private DaemonProcess daemon;

    private CrashSuite(Config config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    public static void main(String[] args) {
        SuiteMain.run("crash", args, java.util.Set.of(), java.util.Set.of(), (a, out) -> {
            long seed = a.seed();
            Path work = a.workDir("worker-crash-");
            out.println("crash suite: seed " + seed + ", work dir " + work);
            Result r = run(Config.of(a.integer("iterations", 50), seed, work));
            r.print(out);
            return r.passed();
        });
    }

    public static Result run(Config config) throws IOException, InterruptedException {
        CrashSuite suite = new CrashSuite(config);
        try {
            return suite.runAll();
        } finally {
            suite.pool.shutdownNow();
        }
    }

    private Result runAll() throws IOException, InterruptedException {
        long start = System.nanoTime();
        dir = new DataDir(config.workDir().resolve("data"));
        try (MockStorage s = MockStorage.start(MockStorageConfig.builder().seed(config.seed()).datasets(4)
                .chunks(config.chunks()).filesPerChunk(config.filesPerChunk()).chunkSize(config.chunkSize())
                .build())) {
            storage = s;
            List<ChunkDescriptor> manifest = storage.manifest();
            content = new ChunkContent(storage.content(), manifest);
            descriptors = new HashMap<>();
            manifest.forEach(d -> descriptors.put(d.id(), d));
            model = new IntentModel(manifest.stream().map(ChunkDescriptor::id).toList());
            startDaemon();
            try (VisibilityProbe probe = new VisibilityProbe(api::get, content, violations, Duration.ofMillis(40),
                    config.seed() ^ 0x5eed)) {
                for (int i = 0; i < config.iterations(); i++) {
                    converge("before iteration " + i);
                    Phase phase = Phase.values()[random.nextInt(Phase.values().length)];
                    storage.faults(FaultConfig.builder().bandwidth(config.churnBandwidth()).build());
                    warmUp();
                    switch (phase) {
                        case TRANSFER -> killDuringTransfer();
                        case PUBLISH -> killDuringPublish();
                        case REMOVAL -> killDuringRemoval();
                        case JOURNAL -> killDuringJournalWrites();
                        case RECOVERY -> killDuringJournalWrites();
                    }
                    storage.faults(FaultConfig.NONE);
                    startDaemon();
                    if (phase == Phase.RECOVERY) {
                        killDuringRecovery();
                        startDaemon();
                    }
                }
                converge("after the last iteration");
                long probes = probe.probes();
                finish();
                return new Result(config, kills, observed, model.ackedCount(), model.unansweredCount(), probes,
                        violations, Duration.ofNanos(System.nanoTime() - start));
            }
        } finally {
            if (daemon != null) {
                daemon.close();
            }
            AdminHttp c = api.get();
            if (c != null) {
                c.close();
            }
        }
    }

    // ---- daemon lifecycle --------------------------------------------------------------------------------------

    private void startDaemon() throws InterruptedException {
        daemon = DaemonProcess.start(config.workDir().resolve("daemon.log"), "256m", List.of("--data-dir",
                dir.root().toString(), "--listen", "127.0.0.1:0", "--min-free", "0", "--max-downloads", "16"), null);
        AdminHttp client = new AdminHttp(daemon.url(Duration.ofSeconds(30)), Optional.empty(),
                Duration.ofSeconds(60));
        AdminHttp old = api.getAndSet(client);
        if (old != null) {
            old.close();
        }
        daemon.awaitReady(client, Duration.ofSeconds(60));
    }

    private void kill(Phase phase) throws InterruptedException {
        daemon.kill9();
        daemon.exitCode(Duration.ofSeconds(30));
        kills.merge(phase, 1, Integer::sum);
        checkErrors();
    }

    private void checkErrors() {
        if (daemon.errorLines() > 0) {
            violations.add("daemon_error_log", daemon.errorLines() + " ERROR line(s) in " + daemon.log().orElseThrow()
                    + ", e.g. "
                    + daemon.errorSamples());
        }
    }

    private void finish() throws InterruptedException {
        int code = daemon.terminate(Duration.ofSeconds(60));
        if (code != 0) {
            violations.add("graceful_exit", "the daemon exited " + code + " on SIGTERM; stderr " + daemon.stderr());
        }
        checkErrors();
    }

    private void converge(String label) throws InterruptedException {
        Convergence.Outcome outcome = Convergence.await(api.get(), dir, content, model.universe(),
                id -> model.allowed(id).stream().map(w -> w == Want.PRESENT).collect(
                        java.util.stream.Collectors.toSet()),
                config.convergeTimeout(), Duration.ofSeconds(3), violations, label);
        Map<ChunkId, Want> actual = new HashMap<>();
        outcome.ready().forEach(id -> actual.put(id, Want.PRESENT));
        if (!outcome.converged()) {
            // Carry on from what the daemon has, so one failure does not cascade through every later iteration.
            AdminHttp.Reply r = api.get().get("/v1/chunks");
            if (r.status() == 200) {
                r.json().path("chunks").forEach(c -> actual.put(ChunkId.parse(c.path("id").asText()), Want.PRESENT));
            }
        }
        model.settle(actual);
    }

    // ---- intents -----------------------------------------------------------------------------------------------

    private int download(ChunkId id) {
        model.sent(id, Want.PRESENT);
        AdminHttp.Reply r = api.get().post("/v1/chunks", ChunkDescriptorJson.toJson(descriptors.get(id)));
        model.answered(id, r.status());
        expectAccepted("POST /v1/chunks", r);
        return r.status();
    }

    private int delete(ChunkId id) {
        model.sent(id, Want.ABSENT);
        AdminHttp.Reply r = api.get().delete("/v1/chunks/" + id);
        model.answered(id, r.status());
        expectAccepted("DELETE /v1/chunks", r);
        return r.status();
    }

    private int assign(Set<ChunkId> wanted) {
        model.sentAssignment(wanted);
        StringBuilder body = new StringBuilder("{\"chunks\":[");
        boolean first = true;
        for (ChunkId id : wanted) {
            body.append(first ? "" : ",").append(ChunkDescriptorJson.toJson(descriptors.get(id)));
            first = false;
        }
        AdminHttp.Reply r = api.get().put("/v1/assignment", body.append("]}").toString());
        model.answeredAssignment(r.status());
        expectAccepted("PUT /v1/assignment", r);
        return r.status();
    }

    private void expectAccepted(String what, AdminHttp.Reply r) {
        if (r.status() >= 400 && r.status() != 503) {
            violations.add("intent_refused", what + " answered " + r);
        }
    }

    private ChunkId any() {
        return model.universe().get(random.nextInt(model.universe().size()));
    }

    private List<ChunkId> pick(List<ChunkId> from, int n) {
        List<ChunkId> copy = new ArrayList<>(from);
        List<ChunkId> out = new ArrayList<>();
        while (out.size() < n && !copy.isEmpty()) {
            out.add(copy.remove(random.nextInt(copy.size())));
        }
        return out;
    }

    /** A few sequential random intents, so every kill finds a different mix of work in progress. */
    private void warmUp() {
        int n = random.nextInt(3, 13);
        for (int i = 0; i < n; i++) {
            double roll = random.nextDouble();
            if (roll < 0.55) {
                download(any());
            } else if (roll < 0.9) {
                delete(any());
            } else {
                assign(new HashSet<>(pick(model.universe(), random.nextInt(5, 26))));
            }
        }
    }

    private List<ChunkId> absentOrMake(int n) throws InterruptedException {
        List<ChunkId> absent = new ArrayList<>(model.absent());
        if (absent.size() < n) {
            for (ChunkId id : pick(new ArrayList<>(model.present()), n - absent.size())) {
                delete(id);
                absent.add(id);
            }
            Thread.sleep(100);
        }
        return pick(absent, n);
    }

    // ---- kills -------------------------------------------------------------------------------------------------

    /** Downloads in flight: wait until bytes flow, then kill at a random moment of the transfers. */
    private void killDuringTransfer() throws InterruptedException {
        for (ChunkId id : absentOrMake(random.nextInt(4, 9))) {
            download(id);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            AdminHttp.Reply r = api.get().get("/v1/chunks?state=downloading");
            if (r.status() == 200 && r.json().path("chunks").size() > 0
                    && r.json().path("chunks").get(0).path("bytes_done").asLong() > 0) {
                break;
            }
            Thread.sleep(10);
        }
        Thread.sleep(random.nextInt(0, 250));
        observeAndKill(Phase.TRANSFER);
    }

    /** Kill the moment the daemon logs that a chunk's files are complete: it is publishing them then. */
    private void killDuringPublish() throws InterruptedException {
        CountDownLatch killed = new CountDownLatch(1);
        AtomicBoolean once = new AtomicBoolean();
        daemon.listener(line -> {
            if (line.contains("chunk downloaded chunk=") && once.compareAndSet(false, true)) {
                daemon.kill9();
                killed.countDown();
            }
        });
        for (ChunkId id : absentOrMake(random.nextInt(3, 7))) {
            if (killed.getCount() == 0) {
                break;
            }
            download(id);
        }
        if (!killed.await(20, TimeUnit.SECONDS)) {
            observed.merge("publish_aim_missed", 1, Integer::sum);
        }
        observeAndKill(Phase.PUBLISH);
    }

    /** Many removals at once (concurrent deletes, or an assignment dropping chunks), killed as they happen. */
    private void killDuringRemoval() throws InterruptedException {
        List<ChunkId> present = new ArrayList<>(model.present());
        if (random.nextBoolean() && present.size() > 4) {
            Set<ChunkId> keep = new HashSet<>(pick(present, random.nextInt(1, present.size() / 2)));
            Future<?> sent = pool.submit(() -> assign(keep));
            Thread.sleep(random.nextInt(0, 15));
            observeAndKill(Phase.REMOVAL);
            awaitQuietly(List.of(sent));
            return;
        }
        List<ChunkId> victims = pick(present, random.nextInt(3, 9));
        Optional<String> lease = victims.isEmpty() ? Optional.empty() : leaseOn(victims.getFirst());
        CountDownLatch firstAck = new CountDownLatch(1);
        List<Future<?>> sent = new ArrayList<>();
        for (ChunkId id : victims) {
            sent.add(pool.submit(() -> {
                delete(id);
                firstAck.countDown();
            }));
        }
        firstAck.await(10, TimeUnit.SECONDS);
        Thread.sleep(random.nextInt(0, 20));
        if (lease.isPresent()) {
            observed.merge("leased_chunk_deleted", 1, Integer::sum);
        }
        observeAndKill(Phase.REMOVAL);
        awaitQuietly(sent);
    }

    private Optional<String> leaseOn(ChunkId id) {
        ChunkDescriptor d = descriptors.get(id);
        AdminHttp.Reply r = api.get().post("/v1/leases", "{\"dataset_id\":\"" + d.datasetId() + "\",\"block\":"
                + d.range().start() + ",\"ttl_seconds\":600}");
        return r.status() == 201 ? Optional.of(r.json().path("lease_id").asText()) : Optional.empty();
    }

    /** A burst of concurrent intents on distinct chunks; the kill comes right after a random number of answers. */
    private void killDuringJournalWrites() throws InterruptedException {
        List<ChunkId> targets = pick(model.universe(), random.nextInt(8, 25));
        int killAfter = random.nextInt(0, targets.size());
        AtomicInteger acks = new AtomicInteger();
        CountDownLatch trigger = new CountDownLatch(1);
        List<Future<?>> sent = new ArrayList<>();
        for (ChunkId id : targets) {
            boolean wantPresent = model.acked(id) == Want.ABSENT ? random.nextDouble() < 0.8
                    : random.nextDouble() < 0.2;
            sent.add(pool.submit(() -> {
                int status = wantPresent ? download(id) : delete(id);
                if (status >= 200 && status < 300 && acks.incrementAndGet() > killAfter) {
                    trigger.countDown();
                }
            }));
        }
        if (killAfter == 0) {
            Thread.sleep(random.nextInt(0, 5));
        } else {
            trigger.await(10, TimeUnit.SECONDS);
        }
        observeAndKill(Phase.JOURNAL);
        awaitQuietly(sent);
    }

    /** Kill a restarting daemon while it scans, replays, compacts its journal and resumes downloads. */
    private void killDuringRecovery() throws InterruptedException {
        Thread.sleep(random.nextInt(0, 400));
        observeAndKill(Phase.RECOVERY);
        // The daemon was just restarted (ready); a second restart is killed before it gets there.
        daemon = DaemonProcess.start(config.workDir().resolve("daemon.log"), "256m", List.of("--data-dir",
                dir.root().toString(), "--listen", "127.0.0.1:0", "--min-free", "0"), null);
        daemon.url(Duration.ofSeconds(30));
        Thread.sleep(random.nextInt(0, 300));
        observeAndKill(Phase.RECOVERY);
    }

    private static void awaitQuietly(List<Future<?>> futures) {
        for (Future<?> f : futures) {
            try {
                f.get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("a churn request did not end", e);
            }
        }
    }

    /** Kills (if not yet dead), then inspects the data directory as the crash left it. */
    private void observeAndKill(Phase phase) throws InterruptedException {
        int inFlight = model.inFlight();
        kill(phase);
        daemon.listener(null);
        if (inFlight > 0) {
            observed.merge("intents_in_flight", 1, Integer::sum);
        }
        CrashSite site = CrashSite.inspect(dir, content);
        site.problems().forEach(p -> violations.add("torn_after_kill", phase + ": " + p));
        site.phases().forEach(p -> observed.merge(p, 1, Integer::sum));
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
