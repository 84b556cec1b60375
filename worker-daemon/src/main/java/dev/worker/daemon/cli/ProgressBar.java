package dev.worker.daemon.cli;

import dev.worker.core.launch.ByteSizes;
import dev.worker.core.launch.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line progress bar redrawn in place ({@code \r}): bar, percent, bytes, rate and ETA. The rate is an
 * exponential moving average of the byte deltas between updates, so one slow poll does not swing it.
 */
final class ProgressBar {
    private static final int WIDTH = 24;

    private final PrintWriter out;
    private long lastBytes = -1;
    private long lastNanos;
    private double rate;
    private int lastLength;

    ProgressBar(PrintWriter out) {
        this.out = out;
    }

    void update(String state, long done, long total, long nowNanos) {
        if (lastBytes >= 0 && nowNanos > lastNanos && done >= lastBytes) {
            double instant = (done - lastBytes) * 1e9 / (nowNanos - lastNanos);
            rate = rate == 0 ? instant : 0.7 * rate + 0.3 * instant;
        }
        lastBytes = done;
        lastNanos = nowNanos;
        out.print("\r" + pad(render(state, done, total)));
        out.flush();
    }

    String render(String state, long done, long total) {
        int filled = total > 0 ? (int) Math.min(WIDTH, done * WIDTH / total) : 0;
        StringBuilder line = new StringBuilder("[");
        line.append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
        line.append(String.format(Locale.ROOT, "%4s  ", Output.percent(done, total)));
        line.append(ByteSizes.format(done));
        if (total > 0) {
            line.append(" / ").append(ByteSizes.format(total));
        }
        line.append("  ").append(ByteSizes.format((long) rate)).append("/s");
        if (rate > 0 && total > done) {
            line.append("  ETA ").append(Durations.format(Duration.ofSeconds((long) ((total - done) / rate))));
        }
        line.append("  ").append(state);
        return line.toString();
    }

    /** Ends the bar's line. */
    void finish() {
        if (lastBytes >= 0) {
            out.println();
            out.flush();
        }
    }

    private String pad(String line) {
        String padded = line.length() < lastLength ? line + " ".repeat(lastLength - line.length()) : line;
        lastLength = line.length();
        return padded;
    }
}
