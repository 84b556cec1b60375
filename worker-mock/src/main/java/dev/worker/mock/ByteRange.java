package dev.worker.mock;

/**
 * What a {@code Range} header asks of a representation of {@code size} bytes (RFC 9110 section 14). Only single byte
 * ranges are served; a request for several is answered 416 rather than with a multipart body.
 */
sealed interface ByteRange {
    /** Serve the whole representation: no header, another unit, or a syntax error (which RFC 9110 says to ignore). */
    record Whole() implements ByteRange {
    }

    /** Answer 416 with {@code Content-Range: bytes *}{@code /size}. */
    record Unsatisfiable() implements ByteRange {
    }

    /** Serve bytes {@code first..last}, both inclusive. */
    record Part(long first, long last) implements ByteRange {
        public Part {
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("bad byte range " + first + "-" + last);
            }
        }

        long length() {
            return last - first + 1;
        }
    }

    ByteRange WHOLE = new Whole();
    ByteRange UNSATISFIABLE = new Unsatisfiable();

    /** Interprets a {@code Range} header value for a representation of {@code size} bytes. */
    static ByteRange parse(String header, long size) {
        String value = header.strip();
        if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
            return WHOLE;
        }
        String spec = null;
        int specs = 0;
        for (String part : value.substring(6).split(",", -1)) {
            if (!part.isBlank()) {
                spec = part.strip();
                specs++;
            }
        }
        if (specs == 0) {
            return WHOLE;
        }
        if (specs > 1) {
            return UNSATISFIABLE;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return WHOLE;
        }
        String first = spec.substring(0, dash).strip();
        String last = spec.substring(dash + 1).strip();
        if (first.isEmpty()) {
            long suffix = digits(last);
            if (suffix < 0) {
                return WHOLE;
            }
            if (suffix == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            return new Part(Math.max(0, size - suffix), size - 1);
        }
        long start = digits(first);
        long end = last.isEmpty() ? Long.MAX_VALUE : digits(last);
        if (start < 0 || end < 0 || end < start) {
            return WHOLE;
        }
        if (start >= size) {
            return UNSATISFIABLE;
        }
        return new Part(start, Math.min(end, size - 1));
    }

    /** The value of a run of ASCII digits, saturating at {@link Long#MAX_VALUE}; -1 when not all digits. */
    private static long digits(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + (c - '0');
        }
        return value;
    }
}
