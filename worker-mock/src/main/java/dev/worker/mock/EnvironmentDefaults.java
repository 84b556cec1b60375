package dev.worker.mock;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Default values of options from environment variables: {@code --chunk-size} reads {@code WORKER_MOCK_CHUNK_SIZE}.
 * A variable that is set wins over the option's built-in default; an option given on the command line wins over both.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
    static final String PREFIX = "WORKER_MOCK_";

    private final Map<String, String> environment;

    EnvironmentDefaults(Map<String, String> environment) {
        this.environment = requireNonNull(environment, "environment");
    }

    /** The variable an option reads, e.g. {@code WORKER_MOCK_CHUNK_SIZE} for {@code --chunk-size}. */
    static String variable(String longestName) {
        return PREFIX + longestName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String value = environment.get(variable(option.longestName()));
        return value == null || value.isBlank() ? null : value.strip();
    }
}
