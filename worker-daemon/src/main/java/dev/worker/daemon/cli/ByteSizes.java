package dev.worker.daemon.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes on the command line and in output: {@code 500GB} (powers of 1000), {@code 1TiB} (powers of 1024),
 * {@code 64MiB}, {@code 1048576}, {@code 10MB/s} for rates.
 */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)(?:\\.(\\d+))?\\s*([a-zA-Z]*)");

    private ByteSizes() {
    }

    /** @throws IllegalArgumentException saying what is accepted */
    public static long parse(String text) {
        String s = text.strip();
        if (s.endsWith("/s") || s.endsWith("/S")) {
            s = s.substring(0, s.length() - 2).strip();
        }
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; use e.g. 500GB, 1TiB, 64MiB or 1048576");
        }
        long unit = switch (m.group(3).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "k", "kb" -> 1000L;
            case "kib", "ki" -> 1L << 10;
            case "m", "mb" -> 1000L * 1000;
            case "mib", "mi" -> 1L << 20;
            case "g", "gb" -> 1000L * 1000 * 1000;
            case "gib", "gi" -> 1L << 30;
            case "t", "tb" -> 1000L * 1000 * 1000 * 1000;
            case "tib", "ti" -> 1L << 40;
            case "p", "pb" -> 1000L * 1000 * 1000 * 1000 * 1000;
            case "pib", "pi" -> 1L << 50;
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + m.group(3)
                    + "'; use B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024)");
        };
        try {
            long whole = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            if (m.group(2) == null) {
                return whole;
            }
            if (unit == 1) {
                throw new IllegalArgumentException("'" + text + "': a byte count must be a whole number");
            }
            double fraction = Double.parseDouble("0." + m.group(2));
            return Math.addExact(whole, Math.round(fraction * unit));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large", e);
        }
    }

    /** Human form in powers of 1024: {@code 512 B}, {@code 1.5 KiB}, {@code 200.0 MiB}. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
