package dev.worker.mock;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable snapshot of the mock storage's counters.
 *
 * @param requests        every request received (files, manifest, stats, unknown paths)
 * @param bytesSent       file body bytes handed to the network stack
 * @param responses       responses by HTTP status
 * @param rangeRequests   file requests that carried a {@code Range} header
 * @param faults          faults injected by type (every type present, zero when none)
 * @param openConnections connections open now
 * @param connections     connections accepted since the start
 */
public record MockStorageStats(
        long requests,
        long bytesSent,
        SortedMap<Integer, Long> responses,
        long rangeRequests,
        Map<FaultType, Long> faults,
        long openConnections,
        long connections) {

    public MockStorageStats {
        responses = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(responses, "responses")));
        EnumMap<FaultType, Long> all = new EnumMap<>(FaultType.class);
        for (FaultType type : FaultType.values()) {
            all.put(type, requireNonNull(faults, "faults").getOrDefault(type, 0L));
        }
        faults = Collections.unmodifiableMap(all);
    }

    /** The number of responses with {@code status}. */
    public long responses(int status) {
        return responses.getOrDefault(status, 0L);
    }

    /** The number of faults of {@code type} injected. */
    public long faults(FaultType type) {
        return faults.get(type);
    }
}
