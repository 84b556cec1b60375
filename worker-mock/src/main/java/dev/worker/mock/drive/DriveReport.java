package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.launch.ByteSizes;
import dev.worker.core.launch.Durations;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.StringJoiner;

/**
 * The outcome of a drive run, rendered for people ({@link #human()}) or machines ({@link #json()}).
 *
 * <p>{@code bytesNeeded} is the size of the chunks that had to be downloaded: ready at the end (which is the desired
 * set) and not ready at the start. {@code bytesDownloaded} is the daemon's {@code worker_download_bytes_total}
 * increase over the run, retried and abandoned transfers included. Their ratio is 1 for a daemon that fetched each
 * needed byte once; faults (retries that restart a file) and churn (chunks downloaded, deleted, then wanted again
 * after they left the disk) raise it. {@code wasteRatio} is that ratio minus 1.
 *
 * <p>While operations are played, the sequence itself decides most of what is downloaded: a chunk deleted while it
 * downloads must stop downloading, one deleted once ready must leave the disk, and wanted again it is fetched again.
 * {@code afterPlay} isolates the daemon's own part: what it still had to fetch when the last operation was answered,
 * and what it fetched from then on.
 *
 * @param settings        what was run
 * @param ops             operations by kind and outcome
 * @param played          how long the operations took
 * @param converged       whether the daemon reached the desired set
 * @param convergence     from the end of the operations to convergence (or to giving up)
 * @param desiredChunks   chunks wanted at the end
 * @param readyChunks     chunks ready at the end
 * @param bytesDownloaded bytes the daemon received from storage during the run
 * @param bytesNeeded     bytes of the chunks that had to be downloaded (see above)
 * @param afterPlay       the bytes still needed when the operations ended, and those downloaded from then on
 * @param daemonRetries   the daemon's transfer retries during the run
 * @param storage         the storage's counters over the run (requests, bytes sent, faults injected)
 * @param filesChecked    files whose size (and checksum) was checked after convergence
 * @param bytesChecked    bytes hashed after convergence
 * @param errorCount      unexpected answers and requests without an answer
 * @param errors          the first of them
 * @param violationCount  broken invariants
 * @param violations      the first of them
 * @param notes           things worth knowing that break nothing
 */
record DriveReport(
        Settings settings,
        OpCounts ops,
        Duration played,
        boolean converged,
        Duration convergence,
        int desiredChunks,
        int readyChunks,
        long bytesDownloaded,
        long bytesNeeded,
        AfterPlay afterPlay,
        long daemonRetries,
        StorageStats storage,
        long filesChecked,
        long bytesChecked,
        long errorCount,
        List<String> errors,
        long violationCount,
        List<Violation> violations,
        List<String> notes) {

    /**
     * What was run.
     *
     * @param daemon      the daemon's URL
     * @param storage     the storage's URL
     * @param dataDir     the daemon's data directory, when given
     * @param seed        the seed of the operation sequence
     * @param ops         operations planned
     * @param concurrency workers
     * @param mix         the operation weights
     * @param chunks      chunks of the manifest played with
     */
    record Settings(URI daemon, URI storage, Optional<Path> dataDir, long seed, long ops, int concurrency,
            OperationMix mix, int chunks) {
        Settings {
            requireNonNull(daemon, "daemon");
            requireNonNull(storage, "storage");
            requireNonNull(dataDir, "dataDir");
            requireNonNull(mix, "mix");
        }
    }

    /**
     * The convergence phase alone.
     *
     * @param bytesStillNeeded bytes of the chunks ready at the end that were not on disk when the last operation was
     *                         answered: each such chunk's size less the bytes it already had then
     * @param bytesDownloaded  file body bytes the storage sent from then to the end (its live counter: the daemon's
     *                         metrics may be a tenth of a second old); bytes still in flight when the play ended
     *                         are not counted, bytes sent into transfers cut later are
     */
    record AfterPlay(long bytesStillNeeded, long bytesDownloaded) {
        /** Bytes downloaded per byte still needed; empty when nothing was. */
        OptionalDouble downloadRatio() {
            return ratio(bytesDownloaded, bytesStillNeeded);
        }
    }

    DriveReport {
        requireNonNull(settings, "settings");
        requireNonNull(ops, "ops");
        requireNonNull(played, "played");
        requireNonNull(convergence, "convergence");
        requireNonNull(afterPlay, "afterPlay");
        requireNonNull(storage, "storage");
        errors = List.copyOf(errors);
        violations = List.copyOf(violations);
        notes = List.copyOf(notes);
        if (violationCount < violations.size() || errorCount < errors.size()) {
            throw new IllegalArgumentException("counts must cover the listed violations and errors");
        }
    }

    /** 0 when nothing is broken, 1 otherwise (an unconverged run is a violation too). */
    int exitCode() {
        return violationCount == 0 ? 0 : 1;
    }

    /** Bytes downloaded per byte needed; empty when nothing had to be downloaded. */
    OptionalDouble downloadRatio() {
        return ratio(bytesDownloaded, bytesNeeded);
    }

    private static OptionalDouble ratio(long downloaded, long needed) {
        return needed > 0 ? OptionalDouble.of((double) downloaded / needed) : OptionalDouble.empty();
    }

    OptionalDouble wasteRatio() {
        OptionalDouble ratio = downloadRatio();
        return ratio.isPresent() ? OptionalDouble.of(ratio.getAsDouble() - 1) : OptionalDouble.empty();
    }

    /** The report for people, several lines ending with {@code OK} or {@code FAILED}. */
    String human() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "drive: %d ops, seed %d, concurrency %d, %d chunks, mix %s%n",
                settings.ops(), settings.seed(), settings.concurrency(), settings.chunks(), settings.mix()));
        out.append(String.format(Locale.ROOT, "  daemon %s, storage %s%s%n", settings.daemon(), settings.storage(),
                settings.dataDir().map(d -> ", data dir " + d).orElse("")));
        out.append(String.format(Locale.ROOT, "%-10s %8s %10s %8s%n", "operation", "ok", "not_found", "error"));
        for (OpKind kind : OpKind.values()) {
            out.append(String.format(Locale.ROOT, "%-10s %8d %10d %8d%n", kind.wireName(),
                    ops.count(kind, Outcome.OK), ops.count(kind, Outcome.NOT_FOUND), ops.count(kind, Outcome.ERROR)));
        }
        out.append(String.format(Locale.ROOT, "played in %s; %s in %s (%d chunks wanted, %d ready)%n",
                Durations.format(millis(played)), converged ? "converged" : "NOT converged",
                Durations.format(millis(convergence)), desiredChunks, readyChunks));
        out.append(String.format(Locale.ROOT, "bytes: downloaded %s, needed %s, ratio %s (waste %s); daemon "
                        + "retries %d%n", ByteSizes.formatCompact(bytesDownloaded),
                ByteSizes.formatCompact(bytesNeeded), fixed(downloadRatio(), 2), percent(wasteRatio()),
                daemonRetries));
        out.append(String.format(Locale.ROOT, "after the last operation: still needed %s, downloaded %s, ratio %s%n",
                ByteSizes.formatCompact(afterPlay.bytesStillNeeded()),
                ByteSizes.formatCompact(afterPlay.bytesDownloaded()), fixed(afterPlay.downloadRatio(), 2)));
        StringJoiner faults = new StringJoiner(", ");
        storage.faults().forEach((type, n) -> {
            if (n != 0) {
                faults.add(type + " " + n);
            }
        });
        out.append(String.format(Locale.ROOT, "storage: %d requests, %s sent; faults injected: %s%n",
                storage.requests(), ByteSizes.formatCompact(storage.bytesSent()),
                faults.length() == 0 ? "none" : faults.toString()));
        out.append(String.format(Locale.ROOT, "checked: %d files, %s hashed%n", filesChecked,
                ByteSizes.formatCompact(bytesChecked)));
        list(out, "errors", errorCount, errors);
        list(out, "violations", violationCount, violations.stream().map(Violation::toString).toList());
        list(out, "notes", notes.size(), notes);
        out.append(exitCode() == 0 ? "OK" : "FAILED").append(System.lineSeparator());
        return out.toString();
    }

    /** The report as one JSON object on one line (snake_case fields; ratios null when nothing was needed). */
    String json() {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = ChunkDescriptorJson.MAPPER.getFactory().createGenerator(out)) {
            gen.writeStartObject();
            gen.writeBooleanField("ok", exitCode() == 0);
            gen.writeStringField("daemon", settings.daemon().toString());
            gen.writeStringField("storage", settings.storage().toString());
            gen.writeStringField("data_dir", settings.dataDir().map(Path::toString).orElse(null));
            gen.writeNumberField("seed", settings.seed());
            gen.writeNumberField("ops", settings.ops());
            gen.writeNumberField("concurrency", settings.concurrency());
            gen.writeStringField("mix", settings.mix().toString());
            gen.writeNumberField("chunks", settings.chunks());
            gen.writeObjectFieldStart("operations");
            for (OpKind kind : OpKind.values()) {
                gen.writeObjectFieldStart(kind.wireName());
                for (Outcome outcome : Outcome.values()) {
                    gen.writeNumberField(outcome.wireName(), ops.count(kind, outcome));
                }
                gen.writeEndObject();
            }
            gen.writeEndObject();
            gen.writeNumberField("played_ms", played.toMillis());
            gen.writeBooleanField("converged", converged);
            gen.writeNumberField("convergence_ms", convergence.toMillis());
            gen.writeNumberField("desired_chunks", desiredChunks);
            gen.writeNumberField("ready_chunks", readyChunks);
            gen.writeNumberField("bytes_downloaded", bytesDownloaded);
            gen.writeNumberField("bytes_needed", bytesNeeded);
            writeRatio(gen, "download_ratio", downloadRatio());
            writeRatio(gen, "waste_ratio", wasteRatio());
            gen.writeObjectFieldStart("after_play");
            gen.writeNumberField("bytes_still_needed", afterPlay.bytesStillNeeded());
            gen.writeNumberField("bytes_downloaded", afterPlay.bytesDownloaded());
            writeRatio(gen, "download_ratio", afterPlay.downloadRatio());
            gen.writeEndObject();
            gen.writeNumberField("daemon_retries", daemonRetries);
            gen.writeObjectFieldStart("storage_stats");
            gen.writeNumberField("requests", storage.requests());
            gen.writeNumberField("bytes_sent", storage.bytesSent());
            gen.writeObjectFieldStart("faults");
            for (Map.Entry<String, Long> fault : storage.faults().entrySet()) {
                gen.writeNumberField(fault.getKey(), fault.getValue());
            }
            gen.writeEndObject();
            gen.writeEndObject();
            gen.writeObjectFieldStart("checked");
            gen.writeNumberField("files", filesChecked);
            gen.writeNumberField("bytes", bytesChecked);
            gen.writeEndObject();
            gen.writeNumberField("error_count", errorCount);
            gen.writeArrayFieldStart("errors");
            for (String error : errors) {
                gen.writeString(error);
            }
            gen.writeEndArray();
            gen.writeNumberField("violation_count", violationCount);
            gen.writeArrayFieldStart("violations");
            for (Violation violation : violations) {
                gen.writeStartObject();
                gen.writeStringField("check", violation.check());
                gen.writeStringField("message", violation.message());
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart("notes");
            for (String note : notes) {
                gen.writeString(note);
            }
            gen.writeEndArray();
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return out.toString();
    }

    private static void writeRatio(JsonGenerator gen, String name, OptionalDouble ratio) throws IOException {
        if (ratio.isPresent()) {
            gen.writeNumberField(name, Math.round(ratio.getAsDouble() * 10_000) / 10_000.0);
        } else {
            gen.writeNullField(name);
        }
    }

    private static void list(StringBuilder out, String what, long count, List<String> items) {
        if (count == 0) {
            out.append(what).append(": none").append(System.lineSeparator());
            return;
        }
        out.append(what).append(": ").append(count);
        if (count > items.size()) {
            out.append(" (first ").append(items.size()).append(" shown)");
        }
        out.append(System.lineSeparator());
        items.forEach(item -> out.append("  - ").append(item).append(System.lineSeparator()));
    }

    private static Duration millis(Duration d) {
        return Duration.ofMillis(d.toMillis());
    }

    private static String fixed(OptionalDouble value, int decimals) {
        return value.isPresent() ? String.format(Locale.ROOT, "%." + decimals + "f", value.getAsDouble()) : "n/a";
    }

    private static String percent(OptionalDouble value) {
        return value.isPresent() ? String.format(Locale.ROOT, "%.0f%%", value.getAsDouble() * 100) : "n/a";
    }
}
