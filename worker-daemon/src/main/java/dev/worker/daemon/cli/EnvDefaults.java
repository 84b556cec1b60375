package dev.worker.daemon.cli;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * Every option reads its default from an environment variable named after it: {@code --data-dir} from
 * {@code WORKER_DATA_DIR}, {@code --max-downloads} from {@code WORKER_MAX_DOWNLOADS}, {@code --url} from
 * {@code WORKER_URL}. A value given on the command line wins. Help options and positional parameters are not read.
 */
public final class EnvDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> env;

    public EnvDefaults(Map<String, String> env) {
        this.env = Map.copyOf(requireNonNull(env, "env"));
    }

    /** The variable an option reads, e.g. {@code WORKER_MAX_DISK} for {@code --max-disk}. */
    public static String variable(String longOption) {
        return "WORKER_" + longOption.replaceFirst("^-+", "").toUpperCase(Locale.ROOT).replace('-', '_');
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec arg) {
        if (!(arg instanceof CommandLine.Model.OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String value = env.get(variable(option.longestName()));
        return value == null || value.isBlank() ? null : value.strip();
    }
}
