package dev.worker.mock;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.worker.core.ChunkDescriptorJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counts what the storage does, from any event loop, cheaply; {@link #snapshot()} reads it as one value. */
final class StatsRecorder {
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder rangeRequests = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final AtomicLong openConnections = new AtomicLong();
    private final ConcurrentHashMap<Integer, LongAdder> responses = new ConcurrentHashMap<>();
    /** Filled once here and only read afterwards, so sharing the EnumMap between threads is safe. */
    private final Map<FaultType, LongAdder> faults = new EnumMap<>(FaultType.class);

    StatsRecorder() {
        for (FaultType type : FaultType.values()) {
            faults.put(type, new LongAdder());
        }
    }

    void request() {
        requests.increment();
    }

    void bytesSent(long bytes) {
        bytesSent.add(bytes);
    }

    void rangeRequest() {
        rangeRequests.increment();
    }

    void response(int status) {
        responses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    void fault(FaultType type) {
        faults.get(type).increment();
    }

    void connectionOpened() {
        connections.increment();
        openConnections.incrementAndGet();
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
    }

    MockStorageStats snapshot() {
        TreeMap<Integer, Long> byStatus = new TreeMap<>();
        responses.forEach((status, count) -> byStatus.put(status, count.sum()));
        EnumMap<FaultType, Long> byType = new EnumMap<>(FaultType.class);
        faults.forEach((type, count) -> byType.put(type, count.sum()));
        return new MockStorageStats(requests.sum(), bytesSent.sum(), byStatus, rangeRequests.sum(), byType,
                openConnections.get(), connections.sum());
    }

    /**
     * The {@code /stats} body: {@code {"requests", "bytes_sent", "range_requests", "responses": {"200": n, ...},
     * "faults": {"error": n, ...}, "open_connections", "connections"}}.
     */
    static byte[] toJson(MockStorageStats stats) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator gen = ChunkDescriptorJson.MAPPER.getFactory().createGenerator(out)) {
            gen.writeStartObject();
            gen.writeNumberField("requests", stats.requests());
            gen.writeNumberField("bytes_sent", stats.bytesSent());
            gen.writeNumberField("range_requests", stats.rangeRequests());
            gen.writeObjectFieldStart("responses");
            for (Map.Entry<Integer, Long> e : stats.responses().entrySet()) {
                gen.writeNumberField(Integer.toString(e.getKey()), e.getValue());
            }
            gen.writeEndObject();
            gen.writeObjectFieldStart("faults");
            for (Map.Entry<FaultType, Long> e : stats.faults().entrySet()) {
                gen.writeNumberField(e.getKey().jsonName(), e.getValue());
            }
            gen.writeEndObject();
            gen.writeNumberField("open_connections", stats.openConnections());
            gen.writeNumberField("connections", stats.connections());
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
