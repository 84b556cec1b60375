package dev.worker.core.source;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the AWS shared files, {@code ~/.aws/credentials} and {@code ~/.aws/config}: INI sections of
 * {@code key = value} lines, {@code #} and {@code ;} comment lines, and indented sub-properties under a key with an
 * empty value (read as {@code key.sub}, e.g. {@code s3.endpoint_url}). In the credentials file a section is
 * {@code [name]}; in the config file {@code [default]} or {@code [profile name]}, and other kinds of section
 * ({@code [sso-session ...]}, {@code [services ...]}) are skipped. Keys are lower-cased, values trimmed.
 */
final class AwsProfileFile {
    private AwsProfileFile() {
    }

    /** Profiles by name, each its properties. Lines outside a section and malformed lines are ignored. */
    static Map<String, Map<String, String>> parse(String text, boolean configFile) {
        Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
        Map<String, String> current = null;
        String parent = null;
        for (String raw : text.split("\r?\n")) {
            String line = raw.stripTrailing();
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                String name = profileName(trimmed.substring(1, trimmed.length() - 1).strip(), configFile);
                current = name == null ? null : profiles.computeIfAbsent(name, n -> new LinkedHashMap<>());
                parent = null;
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (current == null || eq <= 0) {
                continue;
            }
            String key = trimmed.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = stripComment(trimmed.substring(eq + 1).strip());
            boolean indented = Character.isWhitespace(line.charAt(0));
            if (indented && parent != null) {
                current.put(parent + "." + key, value);
            } else if (value.isEmpty()) {
                parent = key;
            } else {
                parent = null;
                current.put(key, value);
            }
        }
        return profiles;
    }

    private static String profileName(String header, boolean configFile) {
        if (!configFile) {
            return header;
        }
        if (header.equals("default")) {
            return "default";
        }
        if (header.startsWith("profile ") || header.startsWith("profile\t")) {
            return header.substring("profile".length()).strip();
        }
        return null;
    }

    /** A comment starts at {@code #} or {@code ;} preceded by whitespace (a secret may contain either). */
    private static String stripComment(String value) {
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c == '#' || c == ';') && Character.isWhitespace(value.charAt(i - 1))) {
                return value.substring(0, i).strip();
            }
        }
        return value;
    }
}
