package dev.worker.reliability.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The command line every suite takes: {@code --iterations N}, {@code --duration 30s}, {@code --seed N},
 * {@code --work-dir DIR}, {@code --keep} (keep the temp work directory of a passing run; a failing run's is always
 * kept) plus the suite's own {@code --name value} options. Without {@code --seed}
 * a random seed is drawn and printed, so any run can be repeated.
 */
public final class SuiteArgs {
    /** Thrown for a usage error; the message says what is wrong. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> values = new LinkedHashMap<>();
    private Path createdWorkDir;

    private SuiteArgs() {
    }

    /**
     * @param known  the options taking a value that this suite accepts (besides the common ones)
     * @param flags  the options without a value that this suite accepts (besides {@code --keep})
     */
    public static SuiteArgs parse(String[] args, Set<String> known, Set<String> flags) {
        SuiteArgs parsed = new SuiteArgs();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("keep") || name.equals("help") || flags.contains(name)) {
                parsed.values.put(name, "true");
                continue;
            }
            if (!Set.of("iterations", "duration", "seed", "work-dir").contains(name) && !known.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            parsed.values.put(name, value);
        }
        return parsed;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    public double decimal(String name, double fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    /** {@code 90s}, {@code 5m}, {@code 250ms} or plain seconds. */
    public Duration duration(String name, Duration fallback) {
        String v = values.get(name);
        return v == null ? fallback : parseDuration(name, v);
    }

    public long seed() {
        String v = values.get("seed");
        if (v == null) {
            return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--seed must be an integer, got '" + v + "'");
        }
    }

    /** {@code --work-dir}, or a fresh temp directory. */
    public Path workDir(String prefix) {
        try {
            String v = values.get("work-dir");
            if (v == null) {
                createdWorkDir = Files.createTempDirectory(prefix);
                return createdWorkDir;
            }
            return Files.createDirectories(Path.of(v)).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the work directory", e);
        }
    }

    /** The temp directory {@link #workDir} created (not one named by {@code --work-dir}), if any. */
    Optional<Path> createdWorkDir() {
        return Optional.ofNullable(createdWorkDir);
    }

    static Duration parseDuration(String name, String v) {
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000));
            }
            return Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a duration like 30s, 5m or 250ms, got '" + v + "'");
        }
    }
}
