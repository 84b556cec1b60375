package dev.worker.reliability.soak;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import dev.worker.mock.FaultConfig;
import dev.worker.mock.FaultType;
import dev.worker.mock.MockStorage;
import dev.worker.mock.MockStorageConfig;
import dev.worker.mock.MockStorageStats;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The flaky-store soak: the daemon downloads from a storage that fails often (5xx, connection resets, truncated
 * bodies, stalls), in rounds of new assignments, for a bounded time. Every wanted chunk must end ready and correct,
 * and the bytes received must stay close to the bytes needed: retries resume rather than restart. See
 * docs/reliability.md.
 */
public final class SoakSuite {
    /**
     * @param maxOverhead the allowed share of bytes received beyond the bytes needed (0.05 = 5%)
     */
    public record Config(Duration duration, long seed, Path workDir, int chunks, int filesPerChunk, long chunkSize,
            FaultConfig faults, double maxOverhead, List<String> extraServeArgs) {
        public static Config of(Duration duration, long seed, Path workDir) {
            return new Config(duration, seed, workDir, 24, 4, 16L << 20, FaultConfig.builder()
                    .errorRate(0.10).resetRate(0.05).truncateRate(0.05).stallRate(0.02).stall(Duration.ofSeconds(2))
                    .build(), 0.05, List.of());
        }
    }

    /** What a run did and found. */
    public record Result(Config config, int rounds, long chunkDownloads, long bytesNeeded, long bytesReceived,
            long bytesSent, Map<String, Double> retries, Map<FaultType, Long> faults, long requests,
            long rangeRequests, long probes, Violations violations, Duration took) {
        public double overhead() {
            return bytesNeeded == 0 ? 0 : (double) bytesReceived / bytesNeeded - 1;
        }

        public boolean passed() {
            return violations.total() == 0;
        }

        public void print(PrintStream out) {
            out.println("soak suite: seed=" + config.seed() + " duration=" + config.duration().toSeconds() + " s"
                    + " chunks=" + config.chunks() + "x" + config.filesPerChunk() + " files, "
                    + (config.chunkSize() >> 20) + " MiB each; took " + took.toSeconds() + " s");
            out.println("  faults configured: " + config.faults().describe());
            out.println("  faults injected: " + faults + " in " + requests + " file requests (" + rangeRequests
                    + " with Range)");
            out.println("  rounds: " + rounds + ", chunk downloads: " + chunkDownloads);
            out.println(String.format(Locale.ROOT, "  bytes needed %,d, received %,d: overhead %.2f%% (limit %.0f%%)",
                    bytesNeeded, bytesReceived, overhead() * 100, config.maxOverhead() * 100));
            // What the storage wrote includes bytes lost in reset or truncated connections before the daemon read
            // them: an upper bound of what crossed the network.
            out.println(String.format(Locale.ROOT, "  bytes the storage sent %,d: %.2f%% over the bytes needed",
                    bytesSent, bytesNeeded == 0 ? 0 : ((double) bytesSent / bytesNeeded - 1) * 100));
            out.println("  daemon retries by reason: " + retries);
            out.println("  chunks read under a lease while downloading: " + probes);
            violations.print(out);
        }
    }

    private SoakSuite() {
    }

    public static void main(String[] args) {
        SuiteMain.run("soak", args, Set.of("max-overhead"), Set.of(), (a, out) -> {
            long seed = a.seed();
            Path work = a.workDir("worker-soak-");
            out.println("soak suite: seed " + seed + ", work dir " + work);
            Config c = Config.of(a.duration("duration", Duration.ofSeconds(120)), seed, work);
            c = new Config(c.duration(), c.seed(), c.workDir(), c.chunks(), c.filesPerChunk(), c.chunkSize(),
                    c.faults(), a.decimal("max-overhead", c.maxOverhead()), c.extraServeArgs());
            Result r = run(c);
            r.print(out);
            return r.passed();
        });
    }

    public static Result run(Config config) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long end = start + config.duration().toNanos();
        Violations violations = new Violations();
        SplittableRandom random = new SplittableRandom(config.seed());
        DataDir dir = new DataDir(config.workDir().resolve("data"));
        try (MockStorage storage = MockStorage.start(MockStorageConfig.builder().seed(config.seed()).datasets(3)
                .chunks(config.chunks()).filesPerChunk(config.filesPerChunk()).chunkSize(config.chunkSize())
                .faults(config.faults()).build())) {
            List<ChunkDescriptor> manifest = storage.manifest();
            ChunkContent content = new ChunkContent(storage.content(), manifest);
            Map<ChunkId, ChunkDescriptor> byId = new HashMap<>();
            manifest.forEach(d -> byId.put(d.id(), d));
            List<String> serve = new ArrayList<>(List.of("--data-dir", dir.root().toString(), "--listen",
                    "127.0.0.1:0", "--min-free", "0"));
            serve.addAll(config.extraServeArgs());
            try (DaemonProcess daemon = DaemonProcess.start(config.workDir().resolve("daemon.log"), "384m", serve,
                    null);
                    AdminHttp api = new AdminHttp(daemon.url(Duration.ofSeconds(30)), Optional.empty(),
                            Duration.ofSeconds(60))) {
                daemon.awaitReady(api, Duration.ofSeconds(60));
                long needed = 0;
                long downloads = 0;
                int rounds = 0;
                long probes;
                Set<ChunkId> ready = new HashSet<>();
                List<ChunkId> all = manifest.stream().map(ChunkDescriptor::id).toList();
                try (VisibilityProbe probe = new VisibilityProbe(() -> api, content, violations,
                        Duration.ofMillis(100), config.seed() ^ 0x50a4)) {
                    while (rounds == 0 || System.nanoTime() < end) {
                        // Keep about half the chunks, add others: every added chunk is downloaded once, and
                        // nothing is cancelled mid-transfer, so every byte beyond the sizes is a retry's.
                        Set<ChunkId> next = new HashSet<>();
                        for (ChunkId id : all) {
                            if (random.nextBoolean()) {
                                next.add(id);
                            }
                        }
                        for (ChunkId id : next) {
                            if (!ready.contains(id)) {
                                needed += byId.get(id).declaredSize().orElseThrow();
                                downloads++;
                            }
                        }
                        StringBuilder body = new StringBuilder("{\"chunks\":[");
                        boolean first = true;
                        for (ChunkId id : next) {
                            body.append(first ? "" : ",").append(ChunkDescriptorJson.toJson(byId.get(id)));
                            first = false;
                        }
                        AdminHttp.Reply r = api.put("/v1/assignment", body.append("]}").toString());
                        if (r.status() != 200) {
                            violations.add("intent_refused", "PUT /v1/assignment answered " + r);
                        }
                        Duration left = Duration.ofNanos(Math.max(0, end - System.nanoTime()));
                        Convergence.Outcome outcome = Convergence.await(api, dir, content, all,
                                id -> Set.of(next.contains(id)), left.plus(Duration.ofSeconds(180)),
                                Duration.ofSeconds(3), violations, "round " + rounds);
                        rounds++;
                        if (!outcome.converged()) {
                            break;
                        }
                        ready = outcome.ready();
                    }
                    probes = probe.probes();
                }
                Map<String, Double> metrics = api.metrics();
                long received = metrics.getOrDefault("worker_download_bytes_total", 0.0).longValue();
                Map<String, Double> retries = new TreeMap<>();
                metrics.forEach((k, v) -> {
                    if (k.startsWith("worker_download_retries_total{") && v > 0) {
                        retries.put(k.substring(k.indexOf("reason=\"") + 8, k.lastIndexOf('"')), v);
                    }
                });
                double overhead = needed == 0 ? 0 : (double) received / needed - 1;
                if (overhead > config.maxOverhead()) {
                    violations.add("download_overhead", String.format(Locale.ROOT,
                            "received %.2f%% more bytes than needed (limit %.0f%%)", overhead * 100,
                            config.maxOverhead() * 100));
                }
                int code = daemon.terminate(Duration.ofSeconds(60));
                if (code != 0) {
                    violations.add("graceful_exit", "the daemon exited " + code + " on SIGTERM");
                }
                if (daemon.errorLines() > 0) {
                    violations.add("daemon_error_log", daemon.errorLines() + " ERROR line(s), e.g. "
                            + daemon.errorSamples());
                }
                MockStorageStats stats = storage.stats();
                return new Result(config, rounds, downloads, needed, received, stats.bytesSent(), retries,
                        stats.faults(),
                        stats.requests(), stats.rangeRequests(), probes, violations,
                        Duration.ofNanos(System.nanoTime() - start));
            }
        }
    }
}
