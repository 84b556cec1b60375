package dev.worker.reliability.badinput;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.mock.MockStorage;
import dev.worker.mock.MockStorageConfig;
import dev.worker.reliability.harness.SuiteMain;
import dev.worker.reliability.harness.Violations;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.DaemonProcess;
import dev.worker.testkit.DataDir;
import dev.worker.testkit.Latencies;
import dev.worker.testkit.RawHttp;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bad-input suite: a corpus of hand-written malformed requests (reliability/corpus/), seeded mutations of valid
 * requests, and hundreds of idle and slow connections, all against real daemon processes. No answer may be a 5xx,
 * no daemon may fall over, a rejected request must change nothing (API state and data directory), and a normal
 * client must keep getting quick answers. See docs/reliability.md.
 */
public final class BadInputSuite {
    /**
     * @param slowConnections idle plus header-dribbling connections held open while latency is measured
     * @param idleCheck       also hold idle connections past the daemon's 60 s idle timeout and check they close
     */
    public record Config(long seed, Path workDir, Path corpus, int fuzzCases, int slowConnections,
            boolean idleCheck) {
    }

    /**
     * What a run did and found.
     *
     * @param fuzzAnswers      answers of the daemon without a token to {@code fuzzCases} mutations
     * @param tokenFuzzAnswers answers of the daemon with a token to as many
     */
    public record Result(Config config, int corpusCases, Map<String, Integer> corpusAnswers, int fuzzCases,
            Map<String, Integer> fuzzAnswers, Map<String, Integer> tokenFuzzAnswers, int fuzzClosedWithoutAnswer,
            List<String> closedSamples, String latencyUnderLoad, String latencyThroughout, int slowAnswered408,
            Violations violations, Duration took) {
        public boolean passed() {
            return violations.total() == 0;
        }

        public void print(PrintStream out) {
            out.println("bad-input suite: seed=" + config.seed() + " corpus=" + corpusCases + " cases, fuzz="
                    + fuzzCases + " cases per daemon; took " + took.toSeconds() + " s");
            out.println("  corpus answers: " + corpusAnswers);
            out.println("  fuzz answers without a token: " + fuzzAnswers + ", with a token: " + tokenFuzzAnswers
                    + " (closed without an answer: " + fuzzClosedWithoutAnswer + ")");
            closedSamples.forEach(s -> out.println("    closed: " + s));
            out.println("  normal client while " + config.slowConnections() + " idle/slow connections were open: "
                    + latencyUnderLoad + "; header-dribblers answered 408: " + slowAnswered408);
            out.println("  /health/live during the corpus and fuzzing: " + latencyThroughout);
            violations.print(out);
        }
    }

    private final Config config;
    private final Violations violations = new Violations();
    private final Map<String, Integer> corpusAnswers = new TreeMap<>();
    private final Map<String, Integer> fuzzAnswers = new TreeMap<>();
    private final Map<String, Integer> tokenFuzzAnswers = new TreeMap<>();
    private final List<String> closedSamples = new ArrayList<>();
    private final Latencies throughout = new Latencies();
    private int fuzzClosed;
    private Target open;
    private Target guarded;
    private List<ChunkDescriptor> baselineChunks;

    /** A daemon under test and what it looks like at rest. */
    private record Target(String name, DaemonProcess daemon, AdminHttp api, InetSocketAddress address, DataDir dir,
            Map<String, String> vars, Optional<String> token) {
    }

    private record State(String chunks, Map<String, Long> files) {
    }

    private BadInputSuite(Config config) {
        this.config = config;
    }

    public static void main(String[] args) {
        SuiteMain.run("bad-input", args, Set.of("corpus", "fuzz-cases", "slow-connections"), Set.of("idle-check"),
                (a, out) -> {
                    long seed = a.seed();
                    Path work = a.workDir("worker-bad-input-");
                    out.println("bad-input suite: seed " + seed + ", work dir " + work);
                    Result r = run(new Config(seed, work, Path.of(a.string("corpus", "reliability/corpus")),
                            a.integer("fuzz-cases", 10_000), a.integer("slow-connections", 500),
                            a.has("idle-check")));
                    r.print(out);
                    return r.passed();
                });
    }

    public static Result run(Config config) throws IOException, InterruptedException {
        return new BadInputSuite(config).runAll();
    }

    private Result runAll() throws IOException, InterruptedException {
        long start = System.nanoTime();
        List<CorpusCase> corpus = CorpusCase.load(config.corpus());
        SplittableRandom random = new SplittableRandom(config.seed());
        String token = HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
        Path tokenFile = Files.writeString(config.workDir().resolve("token"), token + "\n");
        try (MockStorage storage = MockStorage.start(MockStorageConfig.builder().seed(config.seed()).datasets(2)
                .chunks(3).filesPerChunk(2).chunkSize(256 << 10).build())) {
            baselineChunks = storage.manifest();
            Map<String, String> vars = new TreeMap<>();
            ChunkDescriptor first = baselineChunks.getFirst();
            vars.put("ready_id", first.id().toString());
            vars.put("dataset", first.datasetId().toString());
            vars.put("block", Long.toString(first.range().start()));
            vars.put("url", first.files().values().iterator().next().url());
            byte[] unknown = new byte[32];
            for (int i = 0; i < 32; i++) {
                unknown[i] = (byte) random.nextInt(256);
            }
            vars.put("unknown_id", HexFormat.of().formatHex(unknown));
            vars.put("token", token);
            open = startTarget("open", List.of(), Optional.empty(), vars);
            guarded = startTarget("token", List.of("--token-file", tokenFile.toString()), Optional.of(token), vars);
            AtomicBoolean monitoring = new AtomicBoolean(true);
            Thread monitor = Thread.ofPlatform().daemon().name("liveness-monitor").start(() -> monitor(monitoring));
            try {
                runCorpus(corpus);
                runFuzz(open, random, fuzzAnswers);
                runFuzz(guarded, random, tokenFuzzAnswers);
            } finally {
                monitoring.set(false);
                monitor.join();
            }
            LoadOutcome load = runLoad();
            stop(open);
            stop(guarded);
            return new Result(config, corpus.size(), corpusAnswers, config.fuzzCases(), fuzzAnswers,
                    tokenFuzzAnswers, fuzzClosed, closedSamples, load.latency(), throughout.describe(),
                    load.answered408(), violations, Duration.ofNanos(System.nanoTime() - start));
        } finally {
            for (Target t : new Target[] {open, guarded}) {
                if (t != null) {
                    t.daemon().close();
                    t.api().close();
                }
            }
        }
    }

    private Target startTarget(String name, List<String> extra, Optional<String> token, Map<String, String> vars)
            throws InterruptedException {
        DataDir dir = new DataDir(config.workDir().resolve("data-" + name));
        List<String> args = new ArrayList<>(List.of("--data-dir", dir.root().toString(), "--listen", "127.0.0.1:0",
                "--min-free", "0"));
        args.addAll(extra);
        DaemonProcess daemon = DaemonProcess.start(config.workDir().resolve("daemon-" + name + ".log"), "256m", args,
                null);
        AdminHttp api = new AdminHttp(daemon.url(Duration.ofSeconds(30)), token, Duration.ofSeconds(30));
        daemon.awaitReady(api, Duration.ofSeconds(60));
        Target t = new Target(name, daemon, api, new InetSocketAddress("127.0.0.1", api.base().getPort()), dir, vars,
                token);
        restore(t);
        return t;
    }

    private void stop(Target t) throws InterruptedException {
        int code = t.daemon().terminate(Duration.ofSeconds(60));
        if (code != 0) {
            violations.add("graceful_exit", t.name() + " daemon exited " + code + "; stderr " + t.daemon().stderr());
        }
        if (!t.daemon().stderr().isEmpty()) {
            violations.add("daemon_stderr", t.name() + ": " + t.daemon().stderr());
        }
        if (t.daemon().errorLines() > 0) {
            violations.add("daemon_error_log", t.name() + ": " + t.daemon().errorLines() + " ERROR line(s), e.g. "
                    + t.daemon().errorSamples());
        }
    }

    private void monitor(AtomicBoolean running) {
        while (running.get()) {
            AdminHttp.Reply r = open.api().get("/health/live");
            if (r.status() != 200) {
                violations.add("daemon_unresponsive", "/health/live answered " + r);
            } else {
                throughout.record(r.nanos());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---- state -------------------------------------------------------------------------------------------------

    private static State state(Target t) {
        AdminHttp.Reply r = t.api().get("/v1/chunks");
        return new State(r.status() + " " + r.body(), t.dir().snapshot());
    }

    /** Puts the baseline chunk set back (after a request that was accepted) and waits until all is quiet. */
    private void restore(Target t) throws InterruptedException {
        StringBuilder body = new StringBuilder("{\"chunks\":[");
        for (int i = 0; i < baselineChunks.size(); i++) {
            body.append(i == 0 ? "" : ",").append(ChunkDescriptorJson.toJson(baselineChunks.get(i)));
        }
        AdminHttp.Reply r = t.api().put("/v1/assignment", body.append("]}").toString());
        if (r.status() != 200) {
            throw new IllegalStateException(t.name() + ": cannot assign the baseline chunks: " + r);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            AdminHttp.Reply list = t.api().get("/v1/chunks");
            if (list.status() == 200) {
                List<String> states = new ArrayList<>();
                list.json().path("chunks").forEach(c -> states.add(c.path("state").asText()
                        + (c.path("refs").asInt() > 0 ? "+refs" : "")));
                if (states.size() == baselineChunks.size() && states.stream().allMatch(s -> s.equals("ready"))
                        && t.dir().list(t.dir().tmp()).isEmpty() && t.dir().list(t.dir().trash()).isEmpty()) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        violations.add("restore_failed", t.name() + ": the baseline chunk set did not come back within 60 s: "
                + t.api().get("/v1/chunks"));
    }

    // ---- corpus ------------------------------------------------------------------------------------------------

    private void runCorpus(List<CorpusCase> corpus) throws InterruptedException {
        ExecutorService slow = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<?>> pending = new ArrayList<>();
        for (CorpusCase c : corpus) {
            if (c.slow()) {
                pending.add(slow.submit(() -> {
                    Target t = c.token() ? guarded : open;
                    RawHttp.Answer a = send(t, c.render(t.vars()), c.sending(), c.patience(), c.name());
                    judge(c, a);
                    return null;
                }));
            }
        }
        for (CorpusCase c : corpus) {
            if (c.slow()) {
                continue;
            }
            Target t = c.token() ? guarded : open;
            State before = state(t);
            RawHttp.Answer a = send(t, c.render(t.vars()), c.sending(), c.patience(), c.name());
            judge(c, a);
            State after = state(t);
            if (!after.equals(before)) {
                violations.add("state_changed", "corpus " + c.name() + " (" + a + ") changed "
                        + describeChange(before, after));
                restore(t);
            }
            alive(t, "corpus " + c.name());
        }
        for (Future<?> f : pending) {
            try {
                f.get(5, TimeUnit.MINUTES);
            } catch (Exception e) {
                violations.add("harness_error", "a slow corpus case failed: " + e);
            }
        }
        slow.shutdown();
        for (Target t : List.of(open, guarded)) {
            alive(t, "after the slow corpus cases");
        }
    }

    private RawHttp.Answer send(Target t, byte[] bytes, RawHttp.Sending sending, Duration wait, String what) {
        try {
            return RawHttp.exchange(t.address(), bytes, sending, wait);
        } catch (IOException e) {
            violations.add("connect_failed", what + ": " + e);
            return new RawHttp.Answer(-2, Map.of(), "", true, false, true, 0);
        }
    }

    private void judge(CorpusCase c, RawHttp.Answer a) {
        String key = a.status() < 0 ? (a.closed() ? "closed" : "no answer") : Integer.toString(a.status());
        synchronized (corpusAnswers) {
            corpusAnswers.merge(key, 1, Integer::sum);
        }
        if (a.status() >= 500) {
            violations.add("server_error", "corpus " + c.name() + ": " + a + " " + a.body());
        } else if (c.expect().stream().noneMatch(e -> e.matches(a))) {
            violations.add("unexpected_answer", "corpus " + c.name() + ": expected " + c.expect() + ", got " + a
                    + " " + AdminHttp.abbreviate(a.body(), 200));
        }
    }

    private void alive(Target t, String after) {
        if (!t.daemon().isAlive()) {
            throw new IllegalStateException(t.name() + " daemon died after " + after + "; log "
                    + t.daemon().log().orElseThrow());
        }
        AdminHttp.Reply live = t.api().get("/health/live");
        if (live.status() != 200) {
            violations.add("daemon_unresponsive", t.name() + " after " + after + ": /health/live " + live);
        }
    }

    private static String describeChange(State before, State after) {
        if (!before.chunks().equals(after.chunks())) {
            return "the chunk list: " + AdminHttp.abbreviate(before.chunks(), 300) + " -> "
                    + AdminHttp.abbreviate(after.chunks(), 300);
        }
        Map<String, Long> changed = new TreeMap<>();
        after.files().forEach((k, v) -> {
            if (!v.equals(before.files().get(k))) {
                changed.put(k, v);
            }
        });
        before.files().keySet().stream().filter(k -> !after.files().containsKey(k)).forEach(k -> changed.put(k, -1L));
        return "the data directory: " + changed;
    }

    // ---- fuzzing -----------------------------------------------------------------------------------------------

    /** Seeded mutations of valid requests to {@code t}: with its token, if it has one, so they get past auth. */
    private void runFuzz(Target t, SplittableRandom random, Map<String, Integer> answers) throws InterruptedException {
        Map<String, String> v = t.vars();
        String chunkJson = ChunkDescriptorJson.toJson(baselineChunks.getFirst());
        StringBuilder assignment = new StringBuilder("{\"chunks\":[");
        for (int i = 0; i < baselineChunks.size(); i++) {
            assignment.append(i == 0 ? "" : ",").append(ChunkDescriptorJson.toJson(baselineChunks.get(i)));
        }
        assignment.append("]}");
        Map<String, String> auth = t.token().map(token -> Map.of("Authorization", "Bearer " + token)).orElse(Map.of());
        Map<String, String> json = new TreeMap<>(auth);
        json.put("Content-Type", "application/json");
        Fuzzer fuzzer = new Fuzzer(List.of(
                new Fuzzer.Base("POST", "/v1/chunks", json, chunkJson),
                new Fuzzer.Base("PUT", "/v1/assignment", json, assignment.toString()),
                new Fuzzer.Base("DELETE", "/v1/chunks/" + v.get("unknown_id"), auth, null),
                new Fuzzer.Base("GET", "/v1/chunks?state=ready&dataset_id=" + v.get("dataset"), auth, null),
                new Fuzzer.Base("GET", "/v1/chunks/" + v.get("ready_id"), auth, null),
                new Fuzzer.Base("GET", "/v1/datasets/" + v.get("dataset") + "/blocks/" + v.get("block"), auth, null),
                new Fuzzer.Base("POST", "/v1/leases", json, "{\"dataset_id\":\"" + v.get("dataset") + "\",\"block\":"
                        + v.get("block") + ",\"ttl_seconds\":30}"),
                new Fuzzer.Base("DELETE", "/v1/leases/" + v.get("unknown_id").substring(0, 32), auth, null),
                new Fuzzer.Base("POST", "/v1/chunks/" + v.get("ready_id") + "/verify", auth, null),
                new Fuzzer.Base("GET", "/health/ready", Map.of(), null)));
        State before = state(t);
        for (int i = 0; i < config.fuzzCases(); i++) {
            Fuzzer.Case c = fuzzer.next(random);
            String what = t.name() + " fuzz case " + i;
            RawHttp.Answer a = send(t, c.bytes(), RawHttp.Sending.AT_ONCE,
                    c.complete() ? Duration.ofSeconds(10) : Duration.ofMillis(500), what);
            String key = a.status() < 0 ? (a.closed() ? "closed" : (c.complete() ? "no answer" : "waiting"))
                    : (a.status() / 100) + "xx";
            answers.merge(key, 1, Integer::sum);
            if (a.status() >= 500) {
                violations.add("server_error", what + " (" + c.description() + "): " + a + " "
                        + AdminHttp.abbreviate(a.body(), 200));
            } else if (a.status() < 0 && c.complete() && a.timedOut()) {
                violations.add("no_answer", what + " (" + c.description() + ") got no answer in 10 s");
            } else if (a.status() < 0 && c.complete() && a.closed()) {
                fuzzClosed++;
                if (closedSamples.size() < 5) {
                    closedSamples.add(what + ": " + c.description());
                }
            }
            boolean accepted = a.status() >= 200 && a.status() < 300;
            if (accepted && !c.method().equals("GET")) {
                releaseLease(t, a);
                restore(t);
                before = state(t);
                continue;
            }
            State after = state(t);
            if (!after.equals(before)) {
                violations.add("state_changed", what + " (" + c.description() + ", " + a + ") changed "
                        + describeChange(before, after));
                restore(t);
                after = state(t);
            }
            before = after;
            if (i % 500 == 499) {
                alive(t, what);
            }
        }
        alive(t, "the fuzz cases");
    }

    private static void releaseLease(Target t, RawHttp.Answer a) {
        int at = a.body().indexOf("\"lease_id\":\"");
        if (at >= 0) {
            String id = a.body().substring(at + 12, at + 12 + 32);
            t.api().delete("/v1/leases/" + id);
        }
    }

    // ---- many idle and slow connections ------------------------------------------------------------------------

    private record LoadOutcome(String latency, int answered408) {
    }

    private LoadOutcome runLoad() throws InterruptedException, IOException {
        SlowClients clients = SlowClients.open(open.address(), config.slowConnections());
        Latencies latencies = new Latencies();
        int failures = 0;
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
            String find = "/v1/datasets/" + open.vars().get("dataset") + "/blocks/" + open.vars().get("block");
            String post = ChunkDescriptorJson.toJson(baselineChunks.getFirst());
            int n = 0;
            while (System.nanoTime() < end) {
                AdminHttp.Reply r = switch (n++ % 3) {
                    case 0 -> open.api().get("/v1/chunks");
                    case 1 -> open.api().get(find);
                    default -> open.api().post("/v1/chunks", post);
                };
                if (!r.ok()) {
                    failures++;
                    violations.add("slow_connections_starve", "with " + config.slowConnections()
                            + " idle/slow connections open, a normal request got " + r);
                } else {
                    latencies.record(r.nanos());
                }
                clients.dribble();
                Thread.sleep(20);
            }
            if (latencies.percentile(99) > 500_000_000) {
                violations.add("slow_under_load", "p99 " + latencies.percentile(99) / 1_000_000 + " ms with "
                        + config.slowConnections() + " idle/slow connections open (" + latencies.describe() + ")");
            }
            int answered408 = clients.dribblersAnswered408();
            if (answered408 < clients.dribblers() * 9 / 10) {
                violations.add("slow_header_not_timed_out", "only " + answered408 + " of " + clients.dribblers()
                        + " connections dribbling their headers got 408 after the 10 s header timeout");
            }
            if (config.idleCheck()) {
                // The silent connections opened about 12 s ago; the daemon must close them once idle for 60 s.
                long idleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(52);
                int stillOpen = clients.idleStillOpen();
                while (stillOpen > 0 && System.nanoTime() < idleDeadline) {
                    Thread.sleep(500);
                    stillOpen = clients.idleStillOpen();
                }
                if (stillOpen > 0) {
                    violations.add("idle_not_closed", stillOpen + " of " + clients.idle()
                            + " silent connections were still open after 64 s (idle timeout 60 s)");
                }
            }
            alive(open, "the idle/slow connections");
            return new LoadOutcome(latencies.describe() + (failures > 0 ? " failures=" + failures : ""), answered408);
        } finally {
            clients.close();
        }
    }
}
