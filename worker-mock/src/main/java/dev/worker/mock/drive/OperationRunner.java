package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.client.AdminClient;
import dev.worker.core.client.HttpReply;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Plays a plan's operations against the daemon from {@code concurrency} virtual threads drawing operation indexes
 * from one counter, records intents in the {@link DriverModel} and judges every find and lease answer.
 *
 * <p>Intents (download, delete, assign) are serialised per chunk with {@link IntentLocks}, which is what the model's
 * ordering rests on. A request that gets no answer, or a 503, is repeated up to {@value #ATTEMPTS} times (all three
 * intents are idempotent); what is still unanswered then counts as an error and leaves the intent uncertain.
 */
final class OperationRunner {
    static final long LEASE_TTL_SECONDS = 60;
    static final int ATTEMPTS = 3;
    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

    private final AdminClient daemon;
    private final DriverModel model;
    private final ChunkCatalog catalog;
    private final Optional<DataDir> dataDir;
    private final Findings findings;
    private final LongSupplier nanoTime;
    private final IntentLocks locks = new IntentLocks();
    private final OpCounts.Counter counter = new OpCounts.Counter();
    private final Set<String> openLeases = ConcurrentHashMap.newKeySet();

    OperationRunner(AdminClient daemon, DriverModel model, ChunkCatalog catalog, Optional<DataDir> dataDir,
            Findings findings, LongSupplier nanoTime) {
        this.daemon = requireNonNull(daemon, "daemon");
        this.model = requireNonNull(model, "model");
        this.catalog = requireNonNull(catalog, "catalog");
        this.dataDir = requireNonNull(dataDir, "dataDir");
        this.findings = requireNonNull(findings, "findings");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    /** Plays operations {@code 0} to {@code ops - 1} of {@code plan}; returns when all have ended. */
    void run(OperationPlan plan, long ops, int concurrency) throws InterruptedException {
        if (ops < 0 || concurrency < 1) {
            throw new IllegalArgumentException("ops must be >= 0 and concurrency >= 1, got " + ops + " and "
                    + concurrency);
        }
        AtomicLong next = new AtomicLong();
        List<Future<?>> workers = new ArrayList<>(concurrency);
        try (ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("drive-", 0).factory())) {
            for (int w = 0; w < concurrency; w++) {
                workers.add(executor.submit(() -> {
                    try {
                        for (long i = next.getAndIncrement(); i < ops; i = next.getAndIncrement()) {
                            execute(plan.operation(i));
                        }
                    } catch (RuntimeException | Error e) {
                        next.set(ops); // the others stop drawing: the run is broken
                        throw e;
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                try {
                    worker.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a drive worker failed: " + e.getCause(), e.getCause());
                }
            }
        }
    }

    OpCounts counts() {
        return counter.snapshot();
    }

    /** Leases the driver created and has not released (a release that got no answer leaves one here). */
    Set<String> openLeases() {
        return new TreeSet<>(openLeases);
    }

    void execute(Operation operation) throws InterruptedException {
        switch (operation) {
            case Operation.Download d -> download(d);
            case Operation.Delete d -> delete(d);
            case Operation.Assign a -> assign(a);
            case Operation.Find f -> find(f);
            case Operation.Lease l -> lease(l);
        }
    }

    private void download(Operation.Download op) throws InterruptedException {
        ChunkId id = op.chunk().id();
        locks.lockChunk(id);
        try {
            DriverModel.Intent intent = model.intend(id, true, nanoTime.getAsLong());
            intent(OpKind.DOWNLOAD, List.of(intent), () -> daemon.download(op.chunk()), 202);
        } finally {
            locks.unlockChunk(id);
        }
    }

    private void delete(Operation.Delete op) throws InterruptedException {
        locks.lockChunk(op.chunk());
        try {
            DriverModel.Intent intent = model.intend(op.chunk(), false, nanoTime.getAsLong());
            intent(OpKind.DELETE, List.of(intent), () -> daemon.delete(op.chunk()), 202);
        } finally {
            locks.unlockChunk(op.chunk());
        }
    }

    private void assign(Operation.Assign op) throws InterruptedException {
        locks.lockAll();
        try {
            Set<ChunkId> wanted = new TreeSet<>();
            op.chunks().forEach(c -> wanted.add(c.id()));
            Map<ChunkId, Boolean> intents = new TreeMap<>();
            model.known().forEach(id -> intents.put(id, wanted.contains(id)));
            catalog.chunks().forEach(c -> intents.put(c.id(), wanted.contains(c.id())));
            List<DriverModel.Intent> list = model.intendAll(intents, nanoTime.getAsLong());
            intent(OpKind.ASSIGN, list, () -> daemon.assign(op.chunks()), 200);
        } finally {
            locks.unlockAll();
        }
    }

    /** Sends an intent (with retries) and records how it ended. The caller holds the chunks' locks. */
    private void intent(OpKind kind, List<DriverModel.Intent> intents, Call call, int expected)
            throws InterruptedException {
        HttpReply reply;
        try {
            reply = withRetries(call);
        } catch (IOException e) {
            intents.forEach(model::uncertain);
            error(kind, e.getMessage());
            return;
        }
        long now = nanoTime.getAsLong();
        if (reply.status() == expected) {
            intents.forEach(intent -> model.acknowledge(intent, now));
            counter.add(kind, Outcome.OK);
        } else if (reply.status() >= 400 && reply.status() < 500) {
            intents.forEach(model::reject);
            error(kind, reply.describe());
        } else {
            intents.forEach(model::uncertain);
            error(kind, reply.describe());
        }
    }

    private void find(Operation.Find op) throws InterruptedException {
        long sent = nanoTime.getAsLong();
        HttpReply reply;
        try {
            reply = daemon.find(op.dataset(), op.block());
        } catch (IOException e) {
            error(OpKind.FIND, e.getMessage());
            return;
        }
        long answered = nanoTime.getAsLong();
        switch (reply.status()) {
            case 200 -> {
                try {
                    ListedChunk chunk = ListedChunk.parse(reply.json().path("chunk"), "chunk");
                    judgeFound("find", op.dataset(), op.block(), chunk, sent, answered);
                    counter.add(OpKind.FIND, Outcome.OK);
                } catch (IOException e) {
                    error(OpKind.FIND, e.getMessage());
                }
            }
            case 404 -> counter.add(OpKind.FIND, Outcome.NOT_FOUND);
            default -> error(OpKind.FIND, reply.describe());
        }
    }

    private void lease(Operation.Lease op) throws InterruptedException {
        long sent = nanoTime.getAsLong();
        HttpReply reply;
        try {
            reply = daemon.createLease(op.dataset(), op.block(), LEASE_TTL_SECONDS);
        } catch (IOException e) {
            error(OpKind.LEASE, e.getMessage());
            return;
        }
        long answered = nanoTime.getAsLong();
        if (reply.status() == 404) {
            counter.add(OpKind.LEASE, Outcome.NOT_FOUND);
            return;
        }
        if (reply.status() != 201) {
            error(OpKind.LEASE, reply.describe());
            return;
        }
        JsonNode body;
        try {
            body = reply.json();
        } catch (IOException e) {
            error(OpKind.LEASE, e.getMessage());
            return;
        }
        String leaseId = body.path("lease_id").asText("");
        if (leaseId.isEmpty()) {
            error(OpKind.LEASE, reply.describe() + ": no lease_id in the answer");
            return;
        }
        openLeases.add(leaseId);
        boolean ok = true;
        try {
            ListedChunk chunk = ListedChunk.parse(body.path("chunk"), "chunk");
            Path path = Path.of(body.path("path").asText(""));
            judgeFound("lease", op.dataset(), op.block(), chunk, sent, answered);
            checkHeld(leaseId, chunk, path, "when the lease was created");
            Thread.sleep(op.hold());
            checkHeld(leaseId, chunk, path, "after holding it " + op.hold().toMillis() + "ms");
        } catch (IOException | InvalidPathException e) {
            findings.error("lease: " + e.getMessage());
            ok = false;
        }
        ok &= release(leaseId, op.hold());
        counter.add(OpKind.LEASE, ok ? Outcome.OK : Outcome.ERROR);
    }

    /** Releases a lease; false (with the error recorded) when it did not go as expected. */
    private boolean release(String leaseId, Duration held) throws InterruptedException {
        boolean resent = false;
        for (int attempt = 1; ; attempt++) {
            HttpReply reply;
            try {
                reply = daemon.releaseLease(leaseId);
            } catch (IOException e) {
                if (attempt >= ATTEMPTS) {
                    findings.error("lease: " + e.getMessage());
                    return false;
                }
                resent = true;
                Thread.sleep(RETRY_PAUSE.multipliedBy(attempt));
                continue;
            }
            if (reply.status() == 204 || reply.status() == 404 && resent) {
                // A 404 after a lost answer: the first attempt released it.
                openLeases.remove(leaseId);
                return true;
            }
            if (reply.status() == 404) {
                openLeases.remove(leaseId);
                findings.violation("lease", "lease " + leaseId + " was gone when released after " + held.toMillis()
                        + "ms, well within its " + LEASE_TTL_SECONDS + "s ttl");
            }
            findings.error("lease: " + reply.describe());
            return false;
        }
    }

    /** A find or lease answer must be a complete chunk holding the block that the driver may want at that moment. */
    private void judgeFound(String check, DatasetId dataset, long block, ListedChunk chunk, long sent,
            long answered) {
        String asked = "block " + block + " of dataset " + dataset;
        if (!chunk.dataset().equals(dataset) || !chunk.range().contains(block)) {
            findings.violation(check, asked + " was answered with chunk " + chunk.id() + " of dataset "
                    + chunk.dataset() + " covering " + chunk.range() + ", which does not hold it");
        }
        // The status is read after the find: a delete in between legitimately shows it removing.
        if (!chunk.ready() && !chunk.state().equals(ListedChunk.REMOVING)) {
            findings.violation(check, asked + " was answered with chunk " + chunk.id() + " in state "
                    + chunk.state() + "; only complete chunks may be found");
        }
        if (!model.mayBeFound(chunk.id(), sent, answered)) {
            findings.violation(check, asked + " was answered with chunk " + chunk.id() + ", which the driver did "
                    + "not want at any moment of the request (" + model.describe(chunk.id()) + ")");
        }
    }

    private void checkHeld(String leaseId, ListedChunk chunk, Path path, String when) {
        if (dataDir.isEmpty()) {
            return;
        }
        ChunkDescriptor descriptor = catalog.get(chunk.id()).orElse(null);
        for (String problem : dataDir.get().heldFileProblems(path, chunk.id(), descriptor)) {
            findings.violation("lease", "chunk " + chunk.id() + " held by lease " + leaseId + ", " + when + ": "
                    + problem);
        }
    }

    private HttpReply withRetries(Call call) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                HttpReply reply = call.send();
                if (reply.status() != 503 || attempt >= ATTEMPTS) {
                    return reply;
                }
            } catch (IOException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
            }
            Thread.sleep(RETRY_PAUSE.multipliedBy(attempt));
        }
    }

    private void error(OpKind kind, String message) {
        counter.add(kind, Outcome.ERROR);
        findings.error(kind.wireName() + ": " + message);
    }

    @FunctionalInterface
    private interface Call {
        HttpReply send() throws IOException, InterruptedException;
    }
}
