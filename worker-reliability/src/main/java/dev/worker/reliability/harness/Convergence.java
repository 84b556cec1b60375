package dev.worker.reliability.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkId;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.DataDir;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Waits for the daemon to reach a desired state and then checks it thoroughly: every known chunk ready (nothing
 * queued, downloading, removing or failed), each chunk present or absent as allowed, {@code tmp/} and
 * {@code trash/} empty, {@code chunks/} holding exactly the ready chunks, and every ready chunk's files identical
 * to the storage's.
 */
public final class Convergence {
    /** Present ({@code true}) or absent ({@code false}) outcomes allowed for a chunk. */
    public interface Allowed extends Function<ChunkId, Set<Boolean>> {
    }

    /** The outcome: the ready chunks, or what was still wrong when time ran out. */
    public record Outcome(Set<ChunkId> ready, Optional<String> failure, Duration took) {
        public boolean converged() {
            return failure.isEmpty();
        }
    }

    private Convergence() {
    }

    /**
     * @param universe the chunks the suite may have asked for
     * @param settle   how long a final state that contradicts {@code allowed} must persist before it counts as
     *                 wrong (rather than not there yet)
     */
    public static Outcome await(AdminHttp api, DataDir dir, ChunkContent content, Collection<ChunkId> universe,
            Allowed allowed, Duration timeout, Duration settle, Violations violations, String label)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long wrongSince = 0;
        String last = "no answer from the daemon";
        while (true) {
            AdminHttp.Reply reply = api.get("/v1/chunks");
            if (reply.status() == 200) {
                Map<ChunkId, JsonNode> statuses = new HashMap<>();
                reply.json().path("chunks").forEach(s -> statuses.put(ChunkId.parse(s.path("id").asText()), s));
                List<String> transient_ = new ArrayList<>();
                List<String> wrong = new ArrayList<>();
                Set<ChunkId> ready = new HashSet<>();
                for (Map.Entry<ChunkId, JsonNode> e : statuses.entrySet()) {
                    String state = e.getValue().path("state").asText();
                    if (state.equals("ready")) {
                        ready.add(e.getKey());
                    } else {
                        transient_.add(short8(e.getKey()) + "=" + state
                                + (e.getValue().hasNonNull("last_error")
                                        ? " (" + AdminHttp.abbreviate(e.getValue().get("last_error").asText(), 160)
                                                + ")"
                                        : ""));
                    }
                    if (!universe.contains(e.getKey())) {
                        wrong.add(short8(e.getKey()) + " is not a chunk the suite asked for");
                    }
                }
                for (ChunkId id : universe) {
                    JsonNode s = statuses.get(id);
                    if (s != null && !s.path("state").asText().equals("ready")) {
                        continue;
                    }
                    boolean present = s != null;
                    if (!allowed.apply(id).contains(present)) {
                        wrong.add(short8(id)
                                + (present ? " is ready but must be absent" : " is absent but must be ready"));
                    }
                }
                List<String> tmp = dir.list(dir.tmp());
                List<String> trash = dir.list(dir.trash());
                boolean clean = tmp.isEmpty() && trash.isEmpty();
                if (transient_.isEmpty() && wrong.isEmpty() && clean) {
                    verify(dir, content, ready, violations, label);
                    return new Outcome(ready, Optional.empty(), Duration.ofNanos(System.nanoTime() - start));
                }
                last = "not settled: transient=" + transient_ + " wrong=" + wrong + " tmp=" + tmp + " trash=" + trash;
                if (transient_.isEmpty() && clean && !wrong.isEmpty()) {
                    if (wrongSince == 0) {
                        wrongSince = System.nanoTime();
                    } else if (System.nanoTime() - wrongSince > settle.toNanos()) {
                        violations.add("intent_not_honoured", label + ": " + wrong);
                        verify(dir, content, ready, violations, label);
                        return new Outcome(ready, Optional.of(last), Duration.ofNanos(System.nanoTime() - start));
                    }
                } else {
                    wrongSince = 0;
                }
            } else {
                last = "GET /v1/chunks: " + reply;
            }
            if (System.nanoTime() > deadline) {
                violations.add("not_converged", label + " within " + timeout + ": " + last);
                return new Outcome(Set.of(), Optional.of(last), Duration.ofNanos(System.nanoTime() - start));
            }
            Thread.sleep(50);
        }
    }

    /** Every ready chunk's files are the storage's, and {@code chunks/} holds exactly the ready chunks. */
    private static void verify(DataDir dir, ChunkContent content, Set<ChunkId> ready, Violations violations,
            String label) {
        for (ChunkId id : ready) {
            content.check(id, dir.chunks().resolve(id.toString()), true)
                    .ifPresent(p -> violations.add("corrupt_ready_chunk", label + ": " + p));
        }
        Set<String> onDisk = new TreeSet<>(dir.list(dir.chunks()));
        Set<String> expected = new TreeSet<>();
        ready.forEach(id -> expected.add(id.toString()));
        if (!onDisk.equals(expected)) {
            Set<String> extra = new TreeSet<>(onDisk);
            extra.removeAll(expected);
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(onDisk);
            violations.add("chunks_dir_mismatch", label + ": chunks/ has extra " + extra + " and misses " + missing);
        }
    }

    public static String short8(ChunkId id) {
        return id.toString().substring(0, 8);
    }
}
