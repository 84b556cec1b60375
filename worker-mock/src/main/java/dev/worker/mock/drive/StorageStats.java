package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mock storage's counters from its {@code /stats} (or the difference of two readings).
 *
 * @param requests  requests received
 * @param bytesSent file body bytes sent
 * @param faults    faults injected by type ({@code error}, {@code reset}, {@code truncate}, ...)
 */
record StorageStats(long requests, long bytesSent, Map<String, Long> faults) {
    static final StorageStats NONE = new StorageStats(0, 0, Map.of());

    StorageStats {
        faults = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(faults, "faults")));
    }

    static StorageStats parse(JsonNode node) {
        Map<String, Long> faults = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.path("faults").properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            faults.put(field.getKey(), field.getValue().asLong());
        }
        return new StorageStats(node.path("requests").asLong(), node.path("bytes_sent").asLong(), faults);
    }

    /** This reading minus an earlier one. */
    StorageStats minus(StorageStats earlier) {
        Map<String, Long> faults = new TreeMap<>(this.faults);
        earlier.faults.forEach((type, n) -> faults.merge(type, -n, Long::sum));
        return new StorageStats(requests - earlier.requests, bytesSent - earlier.bytesSent, faults);
    }

    long faultTotal() {
        return faults.values().stream().mapToLong(Long::longValue).sum();
    }
}
