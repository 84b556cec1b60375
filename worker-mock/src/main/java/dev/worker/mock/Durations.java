package dev.worker.mock;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations as people write them: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 1m}, {@code 250us}, a bare number
 * of seconds ({@code 2}), or ISO-8601 ({@code PT2S}).
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

    /** A short form: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 90s}. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
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
                + " ns, us, ms, s, m or h (e.g. 500ms, 2s), or plain seconds", cause);
    }

    /** Converts option values with {@link #parse}. */
    public static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
