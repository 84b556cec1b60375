package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.client.AdminClient;
import dev.worker.core.launch.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One drive run: wait for the daemon, read the manifest and the starting state, play the operations, wait for
 * convergence, check the invariants, and measure what it cost.
 */
final class Drive {
    /** Longer than the daemon's 30 s wait for its journal, so a slow intent gets its 503 rather than a timeout. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** Longer than any request may take ({@link #REQUEST_TIMEOUT}), for the model's compaction. */
    static final Duration HORIZON = REQUEST_TIMEOUT.multipliedBy(2);
    /** The daemon's metrics snapshot may be this old; the final reading waits so that it covers the run. */
    static final Duration METRICS_STALENESS = Duration.ofMillis(1100);
    private static final Duration READY_POLL = Duration.ofMillis(100);
    private static final String DOWNLOAD_BYTES = "worker_download_bytes_total";
    private static final String RETRIES = "worker_download_retries_total";

    private final DriveOptions options;
    private final Consumer<String> progress;
    private final LongSupplier nanoTime = System::nanoTime;

    /** @param progress receives a line as each phase starts */
    Drive(DriveOptions options, Consumer<String> progress) {
        this.options = requireNonNull(options, "options");
        this.progress = requireNonNull(progress, "progress");
    }

    /**
     * Runs and reports. Problems of the daemon are findings in the report.
     *
     * @throws IOException when the run cannot start: the daemon or the storage cannot be reached, the manifest is
     *                     unusable
     */
    DriveReport run() throws IOException, InterruptedException {
        try (AdminClient daemon = new AdminClient(options.daemon(), options.token(), REQUEST_TIMEOUT);
                StorageClient storage = new StorageClient(options.storage())) {
            long origin = nanoTime.getAsLong();
            awaitReady(daemon, origin + options.timeout().toNanos());
            List<ChunkDescriptor> manifest = storage.manifest();
            ChunkCatalog catalog;
            try {
                catalog = ChunkCatalog.of(manifest, options.chunks());
            } catch (IllegalArgumentException e) {
                throw new IOException("cannot use the manifest of " + options.storage() + ": " + e.getMessage(), e);
            }
            Findings findings = new Findings();
            if (options.chunks().isPresent() && options.chunks().getAsInt() > manifest.size()) {
                findings.note("--chunks " + options.chunks().getAsInt() + " but the manifest has " + manifest.size());
            }
            StorageStats storageBefore = storage.stats();
            String metricsBefore = daemon.metrics();
            ChunkListing start = ChunkListing.read(daemon);
            Map<ChunkId, Boolean> initial = new TreeMap<>();
            start.chunks().values().forEach(c -> initial.put(c.id(), !c.state().equals(ListedChunk.REMOVING)));
            DriverModel model = new DriverModel(initial, origin, HORIZON);
            Optional<DataDir> dataDir = options.dataDir().map(DataDir::new);

            OperationRunner runner = new OperationRunner(daemon, model, catalog, dataDir, findings, nanoTime);
            progress.accept("playing " + options.ops() + " operations on " + catalog.size() + " chunks with "
                    + options.concurrency() + " workers (seed " + options.seed() + ")");
            long playStart = nanoTime.getAsLong();
            runner.run(new OperationPlan(options.seed(), options.mix(), catalog), options.ops(),
                    options.concurrency());
            long playEnd = nanoTime.getAsLong();
            Duration played = Duration.ofNanos(playEnd - playStart);
            // The storage's live byte count (the daemon's metrics may be a tenth of a second old), read before the
            // listing: no byte fetched after the listing can then be missing from what is counted after the play.
            StorageStats storageAtPlayEnd = storage.stats();
            ChunkListing atPlayEnd = ChunkListing.read(daemon);

            progress.accept("waiting up to " + Durations.format(options.timeout()) + " for the daemon to converge");
            Convergence convergence = new ConvergenceWaiter(daemon, model, nanoTime).await(options.timeout());
            long settled = nanoTime.getAsLong();
            InvariantChecker.Checked checked = new InvariantChecker.Checked(0, 0);
            if (convergence.converged()) {
                progress.accept("converged in " + convergence.took().toMillis() + "ms; checking invariants");
                checked = new InvariantChecker(daemon, model, catalog, start.chunks(), dataDir, findings,
                        InvariantChecker.GRACE).check(convergence.listing().orElseThrow(), runner.openLeases());
            } else {
                convergence.problems().forEach(p -> findings.violation("convergence", p));
                findings.note("the invariants after convergence were not checked");
            }
            if (findings.errorCount() > 0) {
                findings.violation("errors", findings.errorCount() + " requests got an unexpected answer or none "
                        + "(see errors)");
            }

            long wait = settled + METRICS_STALENESS.toNanos() - nanoTime.getAsLong();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            }
            String metricsAfter = daemon.metrics();
            StorageStats storageAfter = storage.stats();
            ChunkListing end = convergence.listing().orElse(start);
            return new DriveReport(
                    new DriveReport.Settings(options.daemon(), options.storage(), options.dataDir(), options.seed(),
                            options.ops(), options.concurrency(), options.mix(), catalog.size()),
                    runner.counts(),
                    played,
                    convergence.converged(),
                    Duration.ofNanos(settled - playEnd),
                    model.chunks(DriverModel.Desired.PRESENT).size(),
                    end.ready().size(),
                    delta(metricsBefore, metricsAfter, DOWNLOAD_BYTES, findings),
                    bytesNeeded(start, end),
                    new DriveReport.AfterPlay(bytesStillNeeded(atPlayEnd, end),
                            storageAfter.minus(storageAtPlayEnd).bytesSent()),
                    delta(metricsBefore, metricsAfter, RETRIES, findings),
                    storageAfter.minus(storageBefore),
                    checked.files(),
                    checked.bytes(),
                    findings.errorCount(),
                    findings.errors(),
                    findings.violationCount(),
                    findings.violations(),
                    findings.notes());
        }
    }

    /** Bytes of the chunks ready at the end that were not ready at the start. */
    static long bytesNeeded(ChunkListing start, ChunkListing end) {
        Set<ChunkId> before = start.ready();
        long bytes = 0;
        for (ListedChunk chunk : end.chunks().values()) {
            if (chunk.ready() && !before.contains(chunk.id())) {
                bytes += chunk.bytesTotal();
            }
        }
        return bytes;
    }

    /**
     * Bytes of the chunks ready at the end that were missing when the operations ended: each one's size less the
     * bytes it had on disk then (none unless it was downloading or queued with a partial download).
     */
    static long bytesStillNeeded(ChunkListing atPlayEnd, ChunkListing end) {
        long bytes = 0;
        for (ListedChunk chunk : end.chunks().values()) {
            if (!chunk.ready()) {
                continue;
            }
            ListedChunk then = atPlayEnd.chunks().get(chunk.id());
            if (then == null) {
                bytes += chunk.bytesTotal();
            } else if (!then.ready()) {
                bytes += chunk.bytesTotal() - Math.min(then.bytesDone(), chunk.bytesTotal());
            }
        }
        return bytes;
    }

    private void awaitReady(AdminClient daemon, long deadline) throws IOException, InterruptedException {
        while (true) {
            IOException failure;
            try {
                if (daemon.ready()) {
                    return;
                }
                failure = new IOException("the daemon at " + options.daemon() + " is not ready (its startup scan "
                        + "has not finished) after " + options.timeout());
            } catch (ConnectException e) {
                throw e; // nothing listens there: waiting would not help
            } catch (IOException e) {
                failure = e;
            }
            if (nanoTime.getAsLong() - deadline >= 0) {
                throw failure;
            }
            Thread.sleep(READY_POLL);
        }
    }

    private static long delta(String before, String after, String metric, Findings findings) {
        OptionalDouble first = PrometheusText.sum(before, metric);
        OptionalDouble last = PrometheusText.sum(after, metric);
        if (first.isEmpty() || last.isEmpty()) {
            findings.note("the daemon's /metrics has no " + metric + ": reported as 0");
            return 0;
        }
        return Math.round(last.getAsDouble() - first.getAsDouble());
    }
}
