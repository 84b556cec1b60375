package dev.worker.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The rule for names of a chunk's files: they become file names in the chunk's directory. */
public final class FileNames {
    /** Names the store keeps for itself inside a chunk directory. */
    public static final Set<String> RESERVED = Set.of("chunk.json");

    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._-]{1,255}");

    private FileNames() {
    }

    private static final int MAX_CANONICAL = 4_096;
    private static final ConcurrentHashMap<String, String> CANONICAL = new ConcurrentHashMap<>();

    /**
     * One shared instance of a file name: chunks mostly reuse a few names ("blocks.parquet"), and a worker holds
     * tens of thousands of descriptors. Bounded, so that arbitrary input cannot grow it without limit.
     */
    static String canonical(String name) {
        String known = CANONICAL.get(name);
        if (known != null) {
            return known;
        }
        if (CANONICAL.size() < MAX_CANONICAL) {
            known = CANONICAL.putIfAbsent(name, name);
            return known != null ? known : name;
        }
        return name;
    }

    /** @throws IllegalArgumentException saying why {@code name} cannot be a chunk file name */
    public static String check(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("file name is empty");
        }
        if (!ALLOWED.matcher(name).matches()) {
            throw new IllegalArgumentException("file name '" + Bytes32.abbreviate(name)
                    + "' is not allowed: use 1 to 255 characters of A-Z a-z 0-9 . _ - (no path separators)");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("file name '" + name + "' is not allowed");
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException("file name '" + name + "' is reserved by the store");
        }
        return name;
    }
}
