package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import dev.worker.core.BlockRange;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.client.AdminClient;
import dev.worker.core.client.HttpReply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The invariants checked once the daemon has converged (every finding goes to {@link Findings}):
 * <ul>
 *   <li><b>refs</b>: no chunk has open refs, <b>leases</b>: every lease the driver took was released;</li>
 *   <li><b>find</b>: a block of each wanted chunk is found (in that chunk, or in another ready chunk holding it), a
 *       block of each deleted chunk is never answered with it;</li>
 *   <li><b>content</b>: each ready chunk of the manifest has exactly its files, with the manifest's sizes and
 *       SHA-256, read from {@code <data-dir>/chunks/<id>} when the data directory is given (and the daemon's path
 *       must be that directory), else from the path the daemon reports when it is readable here;</li>
 *   <li><b>disk</b> (with the data directory): within a grace period, {@code chunks/} holds exactly the ready chunks,
 *       {@code tmp/} and {@code trash/} are empty ({@code .resume} files without their download are only noted).</li>
 * </ul>
 */
final class InvariantChecker {
    static final Duration GRACE = Duration.ofSeconds(5);
    private static final Duration GRACE_POLL = Duration.ofMillis(50);

    private final AdminClient daemon;
    private final DriverModel model;
    private final ChunkCatalog catalog;
    private final Map<ChunkId, ListedChunk> initial;
    private final Optional<DataDir> dataDir;
    private final Findings findings;
    private final Duration grace;

    /**
     * @param initial the chunks the daemon knew at the start (for the block ranges of chunks not in the catalog)
     * @param grace   how long leftovers in the data directory may take to go
     */
    InvariantChecker(AdminClient daemon, DriverModel model, ChunkCatalog catalog, Map<ChunkId, ListedChunk> initial,
            Optional<DataDir> dataDir, Findings findings, Duration grace) {
        this.daemon = requireNonNull(daemon, "daemon");
        this.model = requireNonNull(model, "model");
        this.catalog = requireNonNull(catalog, "catalog");
        this.initial = Map.copyOf(initial);
        this.dataDir = requireNonNull(dataDir, "dataDir");
        this.findings = requireNonNull(findings, "findings");
        this.grace = requireNonNull(grace, "grace");
    }

    /**
     * What the content check read.
     *
     * @param files files whose size (and checksum, when the manifest has one) was checked
     * @param bytes bytes hashed
     */
    record Checked(long files, long bytes) {
    }

    /** Checks everything against the converged {@code listing}; {@code openLeases} are the driver's unreleased ones. */
    Checked check(ChunkListing listing, Set<String> openLeases) throws InterruptedException {
        checkRefs(listing);
        if (!openLeases.isEmpty()) {
            findings.violation("leases", openLeases.size() + " leases the driver created were not released: "
                    + String.join(", ", openLeases));
        }
        checkFinds(listing);
        Checked checked = checkContent(listing);
        if (dataDir.isPresent()) {
            checkDisk(dataDir.get(), listing.ready());
        }
        return checked;
    }

    private void checkRefs(ChunkListing listing) {
        for (ListedChunk chunk : listing.chunks().values()) {
            if (chunk.refs() != 0) {
                findings.violation("refs", "chunk " + chunk.id() + " has " + chunk.refs() + " open refs after the "
                        + "run");
            }
        }
    }

    private void checkFinds(ChunkListing listing) throws InterruptedException {
        Map<ChunkId, ChunkPlace> places = new TreeMap<>();
        initial.values().forEach(c -> places.put(c.id(), new ChunkPlace(c.dataset(), c.range())));
        listing.chunks().values().forEach(c -> places.put(c.id(), new ChunkPlace(c.dataset(), c.range())));
        catalog.chunks().forEach(c -> places.put(c.id(), new ChunkPlace(c.datasetId(), c.range())));
        for (ChunkId id : model.known()) {
            ChunkPlace place = places.get(id);
            DriverModel.Desired desired = model.desired(id);
            if (place == null || desired == DriverModel.Desired.UNKNOWN) {
                continue;
            }
            long block = place.range().start();
            String asked = "block " + block + " of dataset " + place.dataset();
            HttpReply reply;
            ListedChunk found;
            try {
                reply = daemon.find(place.dataset(), block);
                if (reply.status() != 200 && reply.status() != 404) {
                    findings.error("final find: " + reply.describe());
                    continue;
                }
                found = reply.status() == 200 ? ListedChunk.parse(reply.json().path("chunk"), "chunk") : null;
            } catch (IOException e) {
                findings.error("final find: " + e.getMessage());
                continue;
            }
            if (desired == DriverModel.Desired.PRESENT) {
                if (found == null) {
                    findings.violation("find", asked + " is not found although chunk " + id + " holds it and is "
                            + "ready");
                } else if (!found.id().equals(id) && !holds(listing, found, place, block)) {
                    findings.violation("find", asked + " is answered with chunk " + found.id() + ", not with the "
                            + "ready chunk " + id + " that holds it");
                }
            } else if (found != null && found.id().equals(id)) {
                findings.violation("find", asked + " is answered with deleted chunk " + id);
            }
        }
    }

    private static boolean holds(ChunkListing listing, ListedChunk found, ChunkPlace place, long block) {
        ListedChunk listed = listing.chunks().get(found.id());
        return listed != null && listed.ready() && listed.dataset().equals(place.dataset())
                && listed.range().contains(block);
    }

    private Checked checkContent(ChunkListing listing) throws InterruptedException {
        Semaphore readers = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));
        List<Future<ContentCheck.Result>> results = new ArrayList<>();
        int unreadable = 0;
        int foreign = 0;
        boolean checksums = true;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ListedChunk chunk : listing.chunks().values()) {
                if (!chunk.ready()) {
                    continue;
                }
                Optional<ChunkDescriptor> descriptor = catalog.get(chunk.id());
                if (descriptor.isEmpty()) {
                    foreign++;
                    continue;
                }
                checksums &= descriptor.get().files().values().stream().allMatch(f -> f.sha256().isPresent());
                Optional<Path> dir = directory(chunk);
                if (dir.isEmpty()) {
                    unreadable++;
                    continue;
                }
                results.add(executor.submit(() -> {
                    readers.acquire();
                    try {
                        return ContentCheck.verify(dir.get(), descriptor.get());
                    } finally {
                        readers.release();
                    }
                }));
            }
            long files = 0;
            long bytes = 0;
            for (Future<ContentCheck.Result> future : results) {
                ContentCheck.Result result;
                try {
                    result = future.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the content check failed: " + e.getCause(), e.getCause());
                }
                files += result.files();
                bytes += result.bytes();
                result.problems().forEach(p -> findings.violation("content", p));
            }
            if (foreign > 0) {
                findings.note(foreign + " ready chunks are not in the manifest (or beyond --chunks): their content "
                        + "was not checked");
            }
            if (unreadable > 0) {
                findings.note(unreadable + " ready chunks were not checked: their paths are not readable here (give "
                        + "--data-dir on the daemon's host)");
            }
            if (!checksums) {
                findings.note("the manifest lacks some sha256 sums: those files were checked by size only");
            }
            return new Checked(files, bytes);
        }
    }

    /** Where to read a ready chunk's files, when they can be read here. */
    private Optional<Path> directory(ListedChunk chunk) {
        if (dataDir.isPresent()) {
            Path expected = dataDir.get().chunkDir(chunk.id());
            if (chunk.path().isEmpty()) {
                findings.violation("content", "ready chunk " + chunk.id() + " has no path in its status");
            } else if (!dataDir.get().isChunkDir(chunk.path().get(), chunk.id())) {
                findings.violation("content", "the daemon reports " + chunk.path().get() + " for chunk "
                        + chunk.id() + ", not " + expected);
            }
            return Optional.of(expected);
        }
        return chunk.path().filter(Files::isReadable);
    }

    private void checkDisk(DataDir dir, Set<ChunkId> ready) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        Residue residue;
        try {
            residue = dir.residue(ready);
            while (!residue.clean() && System.nanoTime() - deadline < 0) {
                Thread.sleep(GRACE_POLL);
                residue = dir.residue(ready);
            }
        } catch (IOException e) {
            findings.violation("disk", "cannot inspect " + dir.root() + ": " + e);
            return;
        }
        for (String name : residue.chunks()) {
            findings.violation("disk", isDeleted(name)
                    ? "deleted chunk " + name + " is still in " + dir.root().resolve("chunks") + " after " + grace
                    : "unexpected entry " + dir.root().resolve("chunks").resolve(name) + " (not a ready chunk)");
        }
        for (String name : residue.tmp()) {
            findings.violation("disk", "leftover " + dir.root().resolve("tmp").resolve(name) + " after " + grace);
        }
        for (String name : residue.trash()) {
            findings.violation("disk", "leftover " + dir.root().resolve("trash").resolve(name) + " after " + grace);
        }
        for (String name : residue.orphanResume()) {
            findings.note("resume file without its download: " + dir.root().resolve("tmp").resolve(name));
        }
    }

    private boolean isDeleted(String name) {
        try {
            ChunkId id = ChunkId.parse(name);
            return model.known().contains(id) && model.desired(id) == DriverModel.Desired.ABSENT;
        } catch (IllegalArgumentException e) {
            return false; // not a chunk id at all
        }
    }

    private record ChunkPlace(DatasetId dataset, BlockRange range) {
    }
}
