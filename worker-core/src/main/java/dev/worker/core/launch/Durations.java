package dev.worker.core.launch;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 15m}, {@code 2h}, {@code 250us},
 * a bare number of seconds ({@code 3600}), or ISO-8601 ({@code PT2S}). Units are case-insensitive.
 */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]*)\\s*");
    private static final Map<String, Long> NANOS = Map.of(
            "ns", 1L, "us", 1_000L, "ms", 1_000_000L, "", 1_000_000_000L, "s", 1_000_000_000L,
            "m", 60_000_000_000L, "min", 60_000_000_000L, "h", 3_600_000_000_000L);

    private Durations() {
    }

    /** @throws IllegalArgumentException saying what is accepted */
    public static Duration parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.regionMatches(true, 0, "PT", 0, 2)) {
            try {
                Duration d = Duration.parse(s);
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                throw invalid(text, e);
            }
            throw invalid(text, null);
        }
        Matcher m = DURATION.matcher(s);
        Long unit = m.matches() ? NANOS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) {
            throw invalid(text, null);
        }
        try {
            BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit))
                    .setScale(0, RoundingMode.HALF_UP);
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException e) {
            throw invalid(text, e);
        }
    }

    /**
     * A short form that {@link #parse} reads back up to its rounding: below a minute as precise as it is
     * ({@code 250us}, {@code 500ms}, {@code 1.5s}, {@code 45s}), then minutes and seconds ({@code 3m12s}), then hours
     * and minutes ({@code 2h05m}).
     */
    public static String format(Duration d) {
        long nanos = Math.max(0, d.toNanos());
        long seconds = nanos / 1_000_000_000L;
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
        }
        if (seconds >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        if (nanos % 1_000_000 != 0) {
            return nanos / 1_000 + "us";
        }
        long millis = nanos / 1_000_000;
        if (millis < 1000 || millis % 100 != 0) {
            return millis + "ms";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }

    private static IllegalArgumentException invalid(String text, Exception cause) {
        return new IllegalArgumentException("'" + text + "' is not a duration: use a number with a unit"
                + " ns, us, ms, s, m or h (e.g. 500ms, 90s, 15m, 2h), or plain seconds", cause);
    }
}
