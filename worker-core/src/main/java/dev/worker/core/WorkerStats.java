package dev.worker.core;

import dev.worker.core.download.DownloadListener;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The manager's counters: cheap to bump from any thread, read as a snapshot. */
final class WorkerStats implements DownloadListener {
    private final LongAdder bytesDownloaded = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> files = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> retries = new ConcurrentHashMap<>();
    private final LongAdder chunkDownloads = new LongAdder();
    private final LongAdder chunkDownloadNanos = new LongAdder();

    @Override
    public void bytesReceived(long bytes) {
        bytesDownloaded.add(bytes);
    }

    @Override
    public void fileFinished(String outcome) {
        files.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    @Override
    public void retried(String reason) {
        retries.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    void chunkDownloaded(long nanos) {
        chunkDownloads.increment();
        chunkDownloadNanos.add(nanos);
    }

    long bytesDownloaded() {
        return bytesDownloaded.sum();
    }

    Map<String, Long> files() {
        return snapshot(files);
    }

    Map<String, Long> retries() {
        return snapshot(retries);
    }

    long chunkDownloads() {
        return chunkDownloads.sum();
    }

    long chunkDownloadNanos() {
        return chunkDownloadNanos.sum();
    }

    private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> counters) {
        TreeMap<String, Long> result = new TreeMap<>();
        counters.forEach((k, v) -> result.put(k, v.sum()));
        return result;
    }
}
