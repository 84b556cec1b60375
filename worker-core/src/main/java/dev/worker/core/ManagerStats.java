package dev.worker.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;

/**
 * An immutable snapshot of the manager's counters, for export by the daemon.
 *
 * @param chunks              chunks per state (every state present, zero when none)
 * @param bytesDownloaded     bytes received from storage since start, retried bytes included
 * @param filesDownloaded     finished file transfers by outcome ({@code ok}, {@code failed}, {@code cancelled})
 * @param retries             transfer retries by reason ({@code http_5xx}, {@code reset}, {@code stall}, ...)
 * @param chunkDownloadNanos  durations of completed chunk downloads (sum and count, for a mean)
 * @param refsActive          open refs
 * @param refsLeaked          refs released by the leak detector since start
 * @param diskUsedBytes       bytes of published chunks and partial downloads
 * @param diskReservedBytes   bytes reserved for downloads in progress, beyond what they already wrote
 * @param pendingDeleteBytes  bytes of chunks not desired any more that have not yet left the disk
 * @param startup             how long the startup scan took
 */
public record ManagerStats(
        Map<ChunkState, Integer> chunks,
        long bytesDownloaded,
        Map<String, Long> filesDownloaded,
        Map<String, Long> retries,
        long chunkDownloadsCompleted,
        long chunkDownloadNanos,
        long refsActive,
        long refsLeaked,
        long diskUsedBytes,
        long diskReservedBytes,
        long pendingDeleteBytes,
        Duration startup) {

    public ManagerStats {
        chunks = Map.copyOf(requireNonNull(chunks, "chunks"));
        filesDownloaded = Map.copyOf(requireNonNull(filesDownloaded, "filesDownloaded"));
        retries = Map.copyOf(requireNonNull(retries, "retries"));
        requireNonNull(startup, "startup");
    }
}
