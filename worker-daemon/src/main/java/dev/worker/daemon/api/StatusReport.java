package dev.worker.daemon.api;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.worker.core.BlockRange;
import dev.worker.core.ChunkState;
import dev.worker.core.ChunkStatus;
import dev.worker.core.ManagerStats;
import dev.worker.core.launch.BuildVersion;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /v1/status}: one document with what the status page shows: chunk counts by state, the disk against its
 * budget, refs and leases, the transfers in progress (at most {@value #MAX_DOWNLOADS}, downloading ones first) and
 * the coverage of each dataset ({@link Coverage}).
 */
final class StatusReport {
    static final int MAX_DOWNLOADS = 200;
    private static final List<ChunkState> STATES = List.of(ChunkState.QUEUED, ChunkState.DOWNLOADING,
            ChunkState.READY, ChunkState.FAILED, ChunkState.REMOVING);

    private StatusReport() {
    }

    /** @param diskBudgetBytes the disk budget for the stats' used bytes (0 when unknown) */
    static byte[] json(ManagerStats stats, List<ChunkStatus> statuses, int leasesActive, long diskBudgetBytes) {
        List<ChunkStatus> downloads = statuses.stream()
                .filter(s -> s.state() == ChunkState.DOWNLOADING || s.state() == ChunkState.QUEUED)
                .sorted(Comparator.comparing((ChunkStatus s) -> s.state() != ChunkState.DOWNLOADING)
                        .thenComparing(s -> s.id().toString()))
                .limit(MAX_DOWNLOADS)
                .toList();
        List<Coverage.Dataset> coverage = Coverage.of(statuses);
        return ApiJson.write(gen -> {
            gen.writeStartObject();
            gen.writeStringField("version", BuildVersion.current());
            gen.writeObjectFieldStart("chunks");
            for (ChunkState state : STATES) {
                gen.writeNumberField(state.wireName(), stats.chunks().getOrDefault(state, 0));
            }
            gen.writeEndObject();
            gen.writeObjectFieldStart("disk");
            gen.writeNumberField("used_bytes", stats.diskUsedBytes());
            gen.writeNumberField("reserved_bytes", stats.diskReservedBytes());
            gen.writeNumberField("budget_bytes", diskBudgetBytes);
            gen.writeNumberField("pending_delete_bytes", stats.pendingDeleteBytes());
            gen.writeEndObject();
            gen.writeNumberField("refs_active", stats.refsActive());
            gen.writeNumberField("leases_active", leasesActive);
            gen.writeArrayFieldStart("downloads");
            for (ChunkStatus s : downloads) {
                ApiJson.writeStatus(gen, s);
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart("datasets");
            for (Coverage.Dataset d : coverage) {
                writeDataset(gen, d);
            }
            gen.writeEndArray();
            gen.writeEndObject();
        });
    }

    private static void writeDataset(JsonGenerator gen, Coverage.Dataset d) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("dataset_id", d.id().toString());
        writeRange(gen, "block_range", d.span());
        gen.writeNumberField("chunks", d.chunks());
        gen.writeNumberField("ready_chunks", d.readyChunks());
        gen.writeArrayFieldStart("segments");
        for (Coverage.Segment s : d.segments()) {
            gen.writeStartObject();
            gen.writeNumberField("start", s.start());
            gen.writeNumberField("end", s.end());
            gen.writeStringField("state", s.kind().wireName());
            gen.writeEndObject();
        }
        gen.writeEndArray();
        gen.writeEndObject();
    }

    private static void writeRange(JsonGenerator gen, String name, BlockRange range) throws IOException {
        gen.writeObjectFieldStart(name);
        gen.writeNumberField("start", range.start());
        gen.writeNumberField("end", range.end());
        gen.writeEndObject();
    }
}
