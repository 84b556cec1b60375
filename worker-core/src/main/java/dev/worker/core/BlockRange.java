package dev.worker.core;

/** A half-open block range {@code [start, end)}: {@code 0 <= start < end}. */
public record BlockRange(long start, long end) {
    public BlockRange {
        if (start < 0) {
            throw new IllegalArgumentException("block range start must be >= 0, got " + start);
        }
        if (start >= end) {
            throw new IllegalArgumentException(
                    "block range start must be less than end (half-open [start, end)), got [" + start + ", " + end
                            + ")");
        }
    }

    public boolean contains(long block) {
        return block >= start && block < end;
    }

    public boolean overlaps(BlockRange other) {
        return start < other.end && other.start < end;
    }

    public long length() {
        return end - start;
    }

    /** Parses the canonical form {@code [start,end)}. */
    public static BlockRange parse(String text) {
        String s = text.strip();
        if (!s.startsWith("[") || !s.endsWith(")")) {
            throw new IllegalArgumentException("block range must look like [start,end), got '" + text + "'");
        }
        String[] parts = s.substring(1, s.length() - 1).split(",", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("block range must look like [start,end), got '" + text + "'");
        }
        try {
            return new BlockRange(Long.parseLong(parts[0].strip()), Long.parseLong(parts[1].strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("block range bounds must be integers, got '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return "[" + start + "," + end + ")";
    }
}
