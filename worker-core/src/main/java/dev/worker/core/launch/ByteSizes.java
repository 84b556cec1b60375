package dev.worker.core.launch;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as people write them: {@code 500GB} (powers of 1000), {@code 1TiB} (powers of 1024), {@code 1.5GiB},
 * {@code 1048576} (bytes). Units are case-insensitive ({@code K}, {@code Mi} and the like are short for {@code KB},
 * {@code MiB}); a trailing {@code /s} is accepted for rates. The result must be a whole number of bytes.
 */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]*)\\s*(?:/[sS])?\\s*");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", 1_000L), Map.entry("kb", 1_000L), Map.entry("ki", 1L << 10), Map.entry("kib", 1L << 10),
            Map.entry("m", 1_000_000L), Map.entry("mb", 1_000_000L), Map.entry("mi", 1L << 20),
            Map.entry("mib", 1L << 20),
            Map.entry("g", 1_000_000_000L), Map.entry("gb", 1_000_000_000L), Map.entry("gi", 1L << 30),
            Map.entry("gib", 1L << 30),
            Map.entry("t", 1_000_000_000_000L), Map.entry("tb", 1_000_000_000_000L), Map.entry("ti", 1L << 40),
            Map.entry("tib", 1L << 40),
            Map.entry("p", 1_000_000_000_000_000L), Map.entry("pb", 1_000_000_000_000_000L),
            Map.entry("pi", 1L << 50), Map.entry("pib", 1L << 50));
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSizes() {
    }

    /** @throws IllegalArgumentException saying what is accepted */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text);
        Long unit = m.matches() ? UNITS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use a number with an optional unit"
                    + " B, KB, MB, GB, TB, PB (powers of 1000) or KiB, MiB, GiB, TiB, PiB (powers of 1024),"
                    + " e.g. 500GB, 1TiB, 64MiB or 1048576");
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        try {
            return bytes.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes or is too large", e);
        }
    }

    /** Powers of 1024 with one decimal: {@code 512 B}, {@code 1.0 KiB}, {@code 200.0 MiB} (aligns in tables). */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < BINARY.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, BINARY[unit]);
    }

    /** Like {@link #format} without a decimal that is zero: {@code 512 B}, {@code 4 MiB}, {@code 12.5 GiB}. */
    public static String formatCompact(long bytes) {
        String text = format(bytes);
        return text.replace(".0 ", " ");
    }
}
