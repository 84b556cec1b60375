package dev.worker.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.launch.ByteSizes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Human output of chunk statuses: the aligned table of {@code chunk ls} and the details of {@code chunk show}. */
final class Output {
    static final int ID_PREFIX = 12;
    static final int DATASET_PREFIX = 8;

    private Output() {
    }

    static String range(JsonNode status) {
        JsonNode r = status.path("block_range");
        return "[" + r.path("start").asLong() + "," + r.path("end").asLong() + ")";
    }

    static String prefix(String hex, int n) {
        return hex.length() <= n ? hex : hex.substring(0, n);
    }

    /** {@code 45%  90.0 MiB/200.0 MiB}, {@code 200.0 MiB} when done, {@code -} when nothing is known yet. */
    static String progress(JsonNode status) {
        long done = status.path("bytes_done").asLong();
        long total = status.path("bytes_total").asLong();
        String state = status.path("state").asText();
        if (state.equals("ready") || state.equals("removing")) {
            return ByteSizes.format(done);
        }
        if (total > 0) {
            return percent(done, total) + "  " + ByteSizes.format(done) + "/" + ByteSizes.format(total);
        }
        return done > 0 ? ByteSizes.format(done) : "-";
    }

    static String percent(long done, long total) {
        return total <= 0 ? "?%" : (int) Math.min(100, done * 100 / total) + "%";
    }

    static void table(PrintWriter out, JsonNode chunks) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "DATASET", "RANGE", "STATE", "PROGRESS", "REFS"});
        for (JsonNode s : chunks) {
            rows.add(new String[] {
                    prefix(s.path("id").asText(), ID_PREFIX),
                    prefix(s.path("dataset_id").asText(), DATASET_PREFIX),
                    range(s),
                    s.path("state").asText(),
                    progress(s),
                    String.valueOf(s.path("refs").asInt())});
        }
        int[] widths = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static void details(PrintWriter out, JsonNode s) {
        line(out, "id", s.path("id").asText());
        line(out, "dataset", s.path("dataset_id").asText());
        line(out, "blocks", range(s));
        line(out, "state", s.path("state").asText());
        long done = s.path("bytes_done").asLong();
        long total = s.path("bytes_total").asLong();
        line(out, "bytes", total > 0 && done != total
                ? ByteSizes.format(done) + " of " + ByteSizes.format(total) + " (" + percent(done, total) + ")"
                : ByteSizes.format(done));
        line(out, "attempts", String.valueOf(s.path("attempts").asInt()));
        if (s.hasNonNull("last_error")) {
            line(out, "last error", s.get("last_error").asText());
        }
        if (s.hasNonNull("next_retry_at")) {
            line(out, "next retry", s.get("next_retry_at").asText());
        }
        line(out, "refs", String.valueOf(s.path("refs").asInt()));
        if (s.hasNonNull("path")) {
            line(out, "path", s.get("path").asText());
        }
    }

    private static void line(PrintWriter out, String key, String value) {
        out.println(String.format(Locale.ROOT, "%-11s %s", key + ":", value));
    }
}
