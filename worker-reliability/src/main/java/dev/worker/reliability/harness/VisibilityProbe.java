package dev.worker.reliability.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkId;
import dev.worker.testkit.AdminHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Checks, while a suite runs, that nothing partial is ever visible: again and again it lists the ready chunks, takes
 * a lease on one of them (so it cannot leave while being read) and compares every file byte for byte with the
 * storage's. A ready chunk with a missing, short or wrong file is a violation. Transport errors are ignored (the
 * suites kill the daemon under it).
 */
public final class VisibilityProbe implements AutoCloseable {
    private final Supplier<AdminHttp> client;
    private final ChunkContent content;
    private final Violations violations;
    private final Duration interval;
    private final SplittableRandom random;
    private final Thread thread;
    private final AtomicLong probes = new AtomicLong();
    private final AtomicLong listings = new AtomicLong();
    private volatile boolean stopped;

    /** @param client the current client (suites replace it after a restart) */
    public VisibilityProbe(Supplier<AdminHttp> client, ChunkContent content, Violations violations,
            Duration interval, long seed) {
        this.client = requireNonNull(client, "client");
        this.content = requireNonNull(content, "content");
        this.violations = requireNonNull(violations, "violations");
        this.interval = requireNonNull(interval, "interval");
        this.random = new SplittableRandom(seed);
        this.thread = Thread.ofPlatform().daemon().name("visibility-probe").start(this::run);
    }

    private void run() {
        while (!stopped) {
            try {
                probeOnce();
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                violations.add("probe_error", e.toString());
            }
        }
    }

    private void probeOnce() {
        AdminHttp api = client.get();
        if (api == null) {
            return;
        }
        AdminHttp.Reply list = api.get("/v1/chunks?state=ready");
        if (list.status() != 200) {
            return;
        }
        listings.incrementAndGet();
        List<JsonNode> ready = new ArrayList<>();
        list.json().path("chunks").forEach(ready::add);
        if (ready.isEmpty()) {
            return;
        }
        JsonNode pick = ready.get(random.nextInt(ready.size()));
        long block = pick.path("block_range").path("start").asLong();
        AdminHttp.Reply lease = api.post("/v1/leases", "{\"dataset_id\":\"" + pick.path("dataset_id").asText()
                + "\",\"block\":" + block + ",\"ttl_seconds\":60}");
        if (lease.status() != 201) {
            return; // deleted meanwhile, or the daemon is gone
        }
        String leaseId = lease.json().path("lease_id").asText();
        try {
            ChunkId id = ChunkId.parse(lease.json().path("chunk").path("id").asText());
            Path path = Path.of(lease.json().path("path").asText());
            Optional<String> problem = content.check(id, path, true);
            problem.ifPresent(p -> violations.add("partial_visible", "a leased ready chunk is not complete: " + p));
            probes.incrementAndGet();
        } finally {
            AdminHttp.Reply released = api.delete("/v1/leases/" + leaseId);
            if (released.status() >= 0 && released.status() != 204) {
                violations.add("lease_release", "releasing lease " + leaseId + " answered " + released);
            }
        }
    }

    /** Chunks read under a lease so far. */
    public long probes() {
        return probes.get();
    }

    @Override
    public void close() {
        stopped = true;
        try {
            // No interrupt: a probe holding a lease must get to release it.
            thread.join(60_000);
            if (thread.isAlive()) {
                thread.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
