package dev.worker.core.launch;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Option defaults from environment variables named after the option: with prefix {@code WORKER_}, {@code --data-dir}
 * reads {@code WORKER_DATA_DIR}. A variable that is unset or blank gives no default; a value given on the command
 * line wins over both (the command-line parser's business).
 */
public final class EnvironmentDefaults {
    private final String prefix;
    private final Map<String, String> environment;

    /**
     * @param prefix      e.g. {@code WORKER_}
     * @param environment the variables, e.g. {@link System#getenv()}
     */
    public EnvironmentDefaults(String prefix, Map<String, String> environment) {
        this.prefix = requireNonNull(prefix, "prefix");
        this.environment = Map.copyOf(requireNonNull(environment, "environment"));
    }

    /** The variable an option reads, e.g. {@code WORKER_MAX_DISK} for {@code --max-disk}. */
    public String variable(String longOption) {
        return prefix + longOption.replaceFirst("^-+", "").toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The option's default from the environment, stripped; empty when the variable is unset or blank. */
    public Optional<String> value(String longOption) {
        String value = environment.get(variable(longOption));
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }
}
