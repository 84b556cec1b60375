package dev.worker.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} options of the probes; unknown names are a usage error. */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] args, List<String> known, String usage) {
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || !known.contains(name.substring(2)) || i + 1 >= args.length) {
                System.err.println("usage: " + usage);
                System.exit(2);
            }
            values.put(name.substring(2), args[++i]);
        }
    }

    int intValue(String name, int defaultValue) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : defaultValue;
    }

    long longValue(String name, long defaultValue) {
        return values.containsKey(name) ? Long.parseLong(values.get(name)) : defaultValue;
    }

    String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    Path path(String name, String defaultValue) {
        return Path.of(string(name, defaultValue));
    }
}
