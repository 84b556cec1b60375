package dev.worker.core.download;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code Content-Range: bytes first-last/total} header of a 206 response; {@code total} is empty for {@code *}.
 */
record ContentRange(long first, long last, OptionalLong total) {
    private static final Pattern FORMAT = Pattern.compile("bytes\\s+(\\d{1,18})-(\\d{1,18})/(\\d{1,18}|\\*)",
            Pattern.CASE_INSENSITIVE);

    static Optional<ContentRange> parse(String value) {
        Matcher m = FORMAT.matcher(value.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        OptionalLong total = m.group(3).equals("*") ? OptionalLong.empty()
                : OptionalLong.of(Long.parseLong(m.group(3)));
        if (last < first || (total.isPresent() && last >= total.getAsLong())) {
            return Optional.empty();
        }
        return Optional.of(new ContentRange(first, last, total));
    }

    long length() {
        return last - first + 1;
    }
}
