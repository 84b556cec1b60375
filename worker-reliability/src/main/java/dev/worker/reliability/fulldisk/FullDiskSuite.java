package dev.worker.reliability.fulldisk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import dev.worker.core.FileSource;
import dev.worker.mock.MockStorage;
import dev.worker.mock.MockStorageConfig;
import dev.worker.reliability.harness.ChunkContent;
import dev.worker.reliability.harness.Convergence;
import dev.worker.reliability.harness.LivenessMonitor;
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
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The full-disk suite: the daemon's data directory on a small tmpfs. With a free-space floor, downloads that do not
 * fit must wait (queued, saying why); without one and without declared sizes, the disk runs full mid-transfer and
 * the journal cannot write. Either way nothing partial may be visible, ready chunks stay intact, the daemon keeps
 * answering (intents: 2xx or a clear 503, never a hang or a 500), it survives a kill -9 while full, and once chunks
 * are deleted it reaches the desired state by itself. See docs/reliability.md.
 */
public final class FullDiskSuite {
    /** The two ways a disk fills. */
    public enum Scenario {
        /** Declared sizes and a free-space floor: downloads that do not fit wait. */
        FLOOR,
        /** No declared sizes, no floor: ENOSPC mid-transfer, and the journal cannot write. */
        ENOSPC
    }

    /**
     * @param fullFor       how long the ENOSPC scenario keeps sending intents while the disk is full
     * @param livenessLimit the slowest {@code /health/live} answer that is not a violation (the CI short mode, on a
     *                      loaded machine, allows more than the full run)
     */
    public record Config(long seed, Path workDir, List<Scenario> scenarios, long tmpfsBytes, Duration fullFor,
            Duration livenessLimit) {
        public static Config of(long seed, Path workDir, List<Scenario> scenarios) {
            return new Config(seed, workDir, scenarios, 64L << 20, Duration.ofSeconds(15), Duration.ofSeconds(2));
        }
    }

    /** What one scenario saw. */
    public record Report(int ready, int waiting, int failed, Set<String> reasons, int intents, int intents503,
            long maxIntentMillis, String liveness, long diskFullRetries, Duration recovery) {
    }

    /** What a run did and found. */
    public record Result(Config config, Optional<String> skipped, Map<Scenario, Report> reports, Violations violations,
            Duration took) {
        public boolean passed() {
            return violations.total() == 0;
        }

        public void print(PrintStream out) {
            if (skipped.isPresent()) {
                out.println("full-disk suite: SKIPPED: " + skipped.get());
                return;
            }
            out.println("full-disk suite: seed=" + config.seed() + " tmpfs=" + (config.tmpfsBytes() >> 20)
                    + " MiB; took " + took.toSeconds() + " s");
            reports.forEach((s, r) -> {
                out.println("  " + s + ": ready " + r.ready() + ", waiting " + r.waiting() + ", failed " + r.failed()
                        + " while full; reasons given: " + r.reasons());
                out.println(String.format(Locale.ROOT, "    intents while full: %d (%d answered 503), slowest %d ms;"
                        + " disk-full retries %d; /health/live %s; desired state %.1f s after the deletes",
                        r.intents(), r.intents503(), r.maxIntentMillis(), r.diskFullRetries(), r.liveness(),
                        r.recovery().toMillis() / 1000.0));
            });
            violations.print(out);
        }
    }

    private final Config config;
    private final Violations violations = new Violations();
    private final AtomicReference<AdminHttp> api = new AtomicReference<>();
    private DaemonProcess daemon;

    private FullDiskSuite(Config config) {
        this.config = config;
    }

    public static void main(String[] args) {
        SuiteMain.run("full-disk", args, Set.of("scenario"), Set.of(), (a, out) -> {
            long seed = a.seed();
            Path work = a.workDir("worker-full-disk-");
            out.println("full-disk suite: seed " + seed + ", work dir " + work);
            String which = a.string("scenario", "all");
            List<Scenario> scenarios = which.equals("all") ? List.of(Scenario.values())
                    : List.of(Scenario.valueOf(which.toUpperCase(Locale.ROOT)));
            Result r = run(Config.of(seed, work, scenarios));
            r.print(out);
            if (r.skipped().isPresent()) {
                // Not a pass: nothing was checked. Exit 3 so scripts and CI tell the two apart.
                out.println("SKIPPED");
                out.flush();
                System.exit(3);
            }
            return r.passed();
        });
    }

    public static Result run(Config config) throws IOException, InterruptedException {
        return new FullDiskSuite(config).runAll();
    }

    private Result runAll() throws IOException, InterruptedException {
        long start = System.nanoTime();
        Map<Scenario, Report> reports = new EnumMap<>(Scenario.class);
        for (Scenario s : config.scenarios()) {
            Path mountPoint = config.workDir().resolve("tmpfs-" + s.name().toLowerCase(Locale.ROOT));
            Tmpfs.Mounted mounted = Tmpfs.mount(mountPoint, config.tmpfsBytes());
            if (mounted.tmpfs().isEmpty()) {
                return new Result(config, Optional.of(mounted.refusal()), reports, violations,
                        Duration.ofNanos(System.nanoTime() - start));
            }
            try (Tmpfs tmpfs = mounted.tmpfs().get()) {
                reports.put(s, switch (s) {
                    case FLOOR -> floor(tmpfs);
                    case ENOSPC -> enospc(tmpfs);
                });
            } finally {
                if (daemon != null) {
                    daemon.close();
                    daemon = null;
                }
            }
        }
        AdminHttp last = api.get();
        if (last != null) {
            last.close();
        }
        return new Result(config, Optional.empty(), reports, violations, Duration.ofNanos(System.nanoTime() - start));
    }

    // ---- scenarios ---------------------------------------------------------------------------------------------

    @SuppressWarnings("try") // the probe and the monitor work in the background while the try runs
    private Report floor(Tmpfs tmpfs) throws IOException, InterruptedException {
        DataDir dir = new DataDir(tmpfs.dir().resolve("data"));
        try (MockStorage storage = MockStorage.start(MockStorageConfig.builder().seed(config.seed()).datasets(2)
                .chunks(12).filesPerChunk(2).chunkSize(8L << 20).build())) {
            List<ChunkDescriptor> chunks = storage.manifest();
            ChunkContent content = new ChunkContent(storage.content(), chunks);
            start(dir, "floor", List.of("--min-free", "8MiB", "--max-downloads", "8"));
            Stats stats = new Stats();
            try (VisibilityProbe probe = new VisibilityProbe(api::get, content, violations, Duration.ofMillis(100),
                    config.seed());
                    LivenessMonitor live = new LivenessMonitor(api::get, violations, Duration.ofMillis(200),
                            config.livenessLimit())) {
                intent(stats, "PUT", "/v1/assignment", assignment(chunks));
                Snapshot full = awaitStable(Duration.ofSeconds(90));
                checkReasons(full, "floor");
                List<ChunkId> keep = new ArrayList<>();
                for (ChunkDescriptor d : chunks) {
                    if (full.state(d.id()).equals("ready") && keep.size() < 2) {
                        keep.add(d.id());
                    }
                }
                for (ChunkDescriptor d : chunks) {
                    if (!keep.contains(d.id()) && keep.size() < 5) {
                        keep.add(d.id());
                    }
                }
                long freeing = System.nanoTime();
                for (ChunkDescriptor d : chunks) {
                    if (!keep.contains(d.id())) {
                        deleteUntilAccepted(stats, d.id());
                    }
                }
                Convergence.Outcome outcome = Convergence.await(api.get(), dir, content,
                        chunks.stream().map(ChunkDescriptor::id).toList(), id -> Set.of(keep.contains(id)),
                        Duration.ofSeconds(120), Duration.ofSeconds(3), violations, "floor: after the deletes");
                Duration recovery = Duration.ofNanos(System.nanoTime() - freeing);
                // The monitor still runs until the try block ends: a graceful stop is no outage.
                live.pause();
                stop();
                return new Report(full.count("ready"), full.count("queued") + full.count("downloading"),
                        full.count("failed"), full.reasons(), stats.count, stats.unavailable, stats.slowest,
                        live.latencies().describe(), diskFullRetries(full), outcome.converged() ? recovery
                                : Duration.ZERO);
            }
        }
    }

    @SuppressWarnings("try") // the probe and the monitor work in the background while the try runs
    private Report enospc(Tmpfs tmpfs) throws IOException, InterruptedException {
        DataDir dir = new DataDir(tmpfs.dir().resolve("data"));
        // Two stores with one seed: the big chunks that fill the disk, and a small one that must fit afterwards.
        try (MockStorage storage = MockStorage.start(MockStorageConfig.builder().seed(config.seed()).datasets(2)
                .chunks(10).filesPerChunk(2).chunkSize(12L << 20).build());
                MockStorage small = MockStorage.start(MockStorageConfig.builder().seed(config.seed()).datasets(1)
                        .chunks(1).filesPerChunk(1).chunkSize(512 << 10).blocksPerChunk(100).build())) {
            List<ChunkDescriptor> sized = new ArrayList<>(storage.manifest());
            ChunkDescriptor extra = small.manifest().getFirst();
            List<ChunkDescriptor> all = new ArrayList<>(sized);
            all.add(extra);
            ChunkContent content = new ChunkContent(storage.content(), all);
            // The big chunks without sizes or hashes: nothing to reserve before the bytes arrive.
            List<ChunkDescriptor> chunks = sized.stream().map(FullDiskSuite::withoutSizes).toList();
            // A chunk whose files the store does not have: it fails at once and holds no disk, so wanting and
            // unwanting it in turn exercises the journal alone. Its many files make each record it adds larger
            // than a page: appended to a full disk, the record needs a new page, so the append cannot fit into the
            // slack of the journal's last one and succeed by chance.
            Map<String, FileSource> goneFiles = new TreeMap<>();
            for (int i = 0; i < 64; i++) {
                String name = String.format(Locale.ROOT, "gone-%02d-%s.bin", i, "x".repeat(48));
                goneFiles.put(name, FileSource.of(small.baseUrl() + "nothing/" + name));
            }
            ChunkDescriptor toggled = ChunkDescriptor.of(ChunkId.parse("fe".repeat(32)),
                    extra.datasetId(), new dev.worker.core.BlockRange(0, 1), goneFiles);
            List<ChunkId> ids = new ArrayList<>(chunks.stream().map(ChunkDescriptor::id).toList());
            ids.add(extra.id());
            ids.add(toggled.id());
            List<String> serve = List.of("--min-free", "0", "--max-downloads", "8");
            start(dir, "enospc", serve);
            Stats stats = new Stats();
            Stats fullStats = new Stats();
            try (VisibilityProbe probe = new VisibilityProbe(api::get, content, violations, Duration.ofMillis(100),
                    config.seed());
                    LivenessMonitor live = new LivenessMonitor(api::get, violations, Duration.ofMillis(200),
                            config.livenessLimit())) {
                List<ChunkId> first = List.of(chunks.get(0).id(), chunks.get(1).id());
                intent(stats, "PUT", "/v1/assignment", assignment(chunks.subList(0, 2)));
                Convergence.await(api.get(), dir, content, ids, id -> Set.of(first.contains(id)),
                        Duration.ofSeconds(60), Duration.ofSeconds(3), violations, "enospc: the first two chunks");
                // With room on the disk the toggled chunk is accepted, so a 503 later is the full disk's doing
                // (the next assignment drops it again).
                acceptedEventually(stats, "POST", "/v1/chunks", ChunkDescriptorJson.toJson(toggled));
                intent(stats, "PUT", "/v1/assignment", assignment(chunks));
                awaitBytesInFlight(8L << 20, Duration.ofSeconds(30));
                // Something else on the disk takes every free byte while the transfers run: real ENOSPC.
                long filled = fill(tmpfs.dir().resolve("filler"));
                long end = System.nanoTime() + config.fullFor().toNanos();
                boolean wanted = false;
                while (System.nanoTime() < end) {
                    AdminHttp.Reply r = wanted ? intent(fullStats, "DELETE", "/v1/chunks/" + toggled.id(), null)
                            : intent(fullStats, "POST", "/v1/chunks", ChunkDescriptorJson.toJson(toggled));
                    if (r.ok()) {
                        wanted = !wanted;
                    }
                    Thread.sleep(250);
                }
                Snapshot full = snapshot();
                for (ChunkId id : first) {
                    if (!full.state(id).equals("ready")) {
                        violations.add("ready_chunk_lost", "enospc: chunk " + Convergence.short8(id)
                                + " was ready before the disk filled and is now " + full.state(id));
                    } else {
                        content.check(id, dir.chunks().resolve(id.toString()), true)
                                .ifPresent(p -> violations.add("ready_chunk_damaged", "enospc: " + p));
                    }
                }
                long diskFull = diskFullRetries(full);
                if (fullStats.unavailable == 0) {
                    violations.add("disk_never_full", "enospc: no intent was answered 503 while the disk was full ("
                            + filled + " filler bytes, " + tmpfs.free() + " free): the scenario did not fill it");
                }
                // A crash while the disk is full, and a start on the full disk.
                live.pause();
                daemon.kill9();
                daemon.exitCode(Duration.ofSeconds(30));
                start(dir, "enospc: restart on the full disk", serve);
                live.resume();
                // Free space the way an operator would: delete chunks (retrying 503s, as the API invites).
                long freeing = System.nanoTime();
                for (ChunkId id : ids) {
                    if (!first.contains(id) && !id.equals(extra.id())) {
                        deleteUntilAccepted(stats, id);
                    }
                }
                acceptedEventually(stats, "POST", "/v1/chunks", ChunkDescriptorJson.toJson(extra));
                List<ChunkId> keep = List.of(first.get(0), first.get(1), extra.id());
                Convergence.Outcome outcome = Convergence.await(api.get(), dir, content, ids,
                        id -> Set.of(keep.contains(id)), Duration.ofSeconds(120), Duration.ofSeconds(3), violations,
                        "enospc: after the deletes");
                Duration recovery = Duration.ofNanos(System.nanoTime() - freeing);
                // The monitor still runs until the try block ends: a graceful stop is no outage.
                live.pause();
                stop();
                return new Report(full.count("ready"), full.count("queued") + full.count("downloading"),
                        full.count("failed"), full.reasons(), fullStats.count, fullStats.unavailable,
                        fullStats.slowest, live.latencies().describe(), diskFull,
                        outcome.converged() ? recovery : Duration.ZERO);
            }
        }
    }

    /** Waits until the chunks being downloaded hold at least {@code bytes} on disk between them. */
    private void awaitBytesInFlight(long bytes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long done = 0;
            for (JsonNode s : snapshot().chunks().values()) {
                if (s.path("state").asText().equals("downloading")) {
                    done += s.path("bytes_done").asLong();
                }
            }
            if (done >= bytes) {
                return;
            }
            Thread.sleep(20);
        }
        violations.add("transfers_never_started", "enospc: fewer than " + bytes + " bytes in flight after " + timeout);
    }

    /** Writes zeros to {@code file} until the file system is full; the bytes written. */
    private static long fill(Path file) throws IOException {
        long written = 0;
        java.nio.ByteBuffer zeros = java.nio.ByteBuffer.allocate(1 << 20);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            while (true) {
                zeros.clear();
                try {
                    written += ch.write(zeros);
                } catch (IOException e) {
                    break; // No space left on device: that was the point
                }
                if (zeros.hasRemaining()) {
                    // A short write: try the rest in small pieces until nothing more fits.
                    zeros.limit(zeros.position() + Math.min(4096, zeros.remaining()));
                }
            }
            try {
                ch.force(true);
            } catch (IOException e) {
                // tmpfs: nothing to force
            }
        }
        return written;
    }

    // ---- daemon ------------------------------------------------------------------------------------------------

    private void start(DataDir dir, String label, List<String> extra) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("--data-dir", dir.root().toString(), "--listen", "127.0.0.1:0"));
        args.addAll(extra);
        daemon = DaemonProcess.start(config.workDir().resolve("daemon.log"), "256m", args, null);
        AdminHttp client = new AdminHttp(daemon.url(Duration.ofSeconds(30)), Optional.empty(),
                Duration.ofSeconds(60));
        AdminHttp old = api.getAndSet(client);
        if (old != null) {
            old.close();
        }
        try {
            daemon.awaitReady(client, Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
            violations.add("start_failed", label + ": " + e.getMessage());
            throw e;
        }
    }

    private void stop() throws InterruptedException {
        int code = daemon.terminate(Duration.ofSeconds(60));
        if (code != 0) {
            violations.add("graceful_exit", "the daemon exited " + code + " on SIGTERM; stderr " + daemon.stderr());
        }
        daemon = null;
    }

    // ---- intents -----------------------------------------------------------------------------------------------

    private static final class Stats {
        int count;
        int unavailable;
        long slowest;
    }

    /** An intent: it must be answered 2xx or 503 (the journal could not write) within the API's 30 s, never 500. */
    private AdminHttp.Reply intent(Stats stats, String method, String path, String body) {
        AdminHttp.Reply r = api.get().send(method, path, body);
        stats.count++;
        stats.slowest = Math.max(stats.slowest, r.millis());
        if (r.status() == 503) {
            stats.unavailable++;
            if (!r.errorCode().equals("unavailable")) {
                violations.add("unclear_503", method + " " + path + " answered " + r);
            }
        } else if (!r.ok()) {
            violations.add("intent_failed", method + " " + path + " answered " + r);
        }
        if (r.millis() > 35_000) {
            violations.add("intent_hung", method + " " + path + " took " + r.millis() + " ms");
        }
        return r;
    }

    /** Repeats a delete answered 503 (retrying is safe, the API says) until it is accepted. */
    private void deleteUntilAccepted(Stats stats, ChunkId id) throws InterruptedException {
        acceptedEventually(stats, "DELETE", "/v1/chunks/" + id, null);
    }

    private void acceptedEventually(Stats stats, String method, String path, String body)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        AdminHttp.Reply last;
        do {
            last = intent(stats, method, path, body);
            if (last.ok()) {
                return;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        violations.add("intent_never_accepted", method + " " + path + " was still refused after 90 s of retries: "
                + last);
    }

    private static String assignment(Collection<ChunkDescriptor> chunks) {
        StringBuilder body = new StringBuilder("{\"chunks\":[");
        boolean first = true;
        for (ChunkDescriptor d : chunks) {
            body.append(first ? "" : ",").append(ChunkDescriptorJson.toJson(d));
            first = false;
        }
        return body.append("]}").toString();
    }

    private static ChunkDescriptor withoutSizes(ChunkDescriptor d) {
        Map<String, FileSource> files = new TreeMap<>();
        d.files().forEach((name, source) -> files.put(name, FileSource.of(source.url())));
        return ChunkDescriptor.of(d.id(), d.datasetId(), d.range(), files);
    }

    // ---- observing ---------------------------------------------------------------------------------------------

    /** The chunk list at one moment. */
    private record Snapshot(Map<ChunkId, JsonNode> chunks, Map<String, Double> metrics) {
        String state(ChunkId id) {
            JsonNode s = chunks.get(id);
            return s == null ? "absent" : s.path("state").asText();
        }

        int count(String state) {
            return (int) chunks.values().stream().filter(s -> s.path("state").asText().equals(state)).count();
        }

        Set<String> reasons() {
            Set<String> out = new LinkedHashSet<>();
            for (JsonNode s : chunks.values()) {
                if (!s.path("state").asText().equals("ready") && s.hasNonNull("last_error")) {
                    out.add(s.path("state").asText() + ": " + s.get("last_error").asText()
                            .replaceAll("[0-9a-f]{64}", "ID").replaceAll("https?://\\S+/", "URL/")
                            .replaceAll("/\\S+/tmp/", ".../tmp/").replaceAll("\\b[0-9]+\\b", "N"));
                }
            }
            return out;
        }
    }

    private Snapshot snapshot() {
        Map<ChunkId, JsonNode> out = new TreeMap<>();
        AdminHttp.Reply r = api.get().get("/v1/chunks");
        if (r.status() == 200) {
            r.json().path("chunks").forEach(s -> out.put(ChunkId.parse(s.path("id").asText()), s));
        }
        return new Snapshot(out, api.get().metrics());
    }

    /** Waits until nothing is transferring and the ready set has not changed for a few seconds. */
    private Snapshot awaitStable(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Snapshot last = snapshot();
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            Snapshot now = snapshot();
            if (now.count("ready") != last.count("ready") || now.count("downloading") > 0) {
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(3)) {
                return now;
            }
            last = now;
        }
        violations.add("never_stable", "chunks kept changing for " + timeout + ": " + last.chunks().size()
                + " chunks, " + last.count("ready") + " ready, " + last.count("downloading") + " downloading");
        return last;
    }

    /** Every chunk that is not ready says why: a queued chunk with no last_error leaves an operator guessing. */
    private void checkReasons(Snapshot s, String label) {
        for (Map.Entry<ChunkId, JsonNode> e : s.chunks().entrySet()) {
            String state = e.getValue().path("state").asText();
            if (state.equals("ready")) {
                continue;
            }
            String why = e.getValue().path("last_error").asText("");
            boolean clear = why.contains("space") || why.contains("disk");
            if (!clear) {
                violations.add("unclear_wait_reason", label + ": chunk " + Convergence.short8(e.getKey()) + " is "
                        + state + " with last_error " + (why.isEmpty() ? "null" : "'" + why + "'"));
            }
        }
    }

    private static long diskFullRetries(Snapshot s) {
        return s.metrics().getOrDefault("worker_download_retries_total{reason=\"disk_full\"}", 0.0).longValue();
    }
}
