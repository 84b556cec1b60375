package dev.worker.mock;

import dev.worker.core.launch.BuildVersion;
import dev.worker.core.launch.EnvironmentDefaults;
import dev.worker.mock.drive.DriveCommand;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of the {@code worker-mock} executable. Each subcommand is one class listed in {@code subcommands}.
 * Exit codes: 0 ok, 1 failure, 2 usage error.
 */
@Command(
        name = "worker-mock",
        description = "Synthetic chunk-set storage and tools to exercise the worker against it.",
        subcommands = {StorageCommand.class, DriveCommand.class},
        footer = {"", "Every option can also be set with an environment variable named WORKER_MOCK_ and the option's "
                + "name in capitals with '_' for '-', e.g. WORKER_MOCK_CHUNK_SIZE=200MB. Command-line options win."})
public final class MockMain implements Runnable {
    /** Option defaults come from variables named this and the option's name, e.g. {@code WORKER_MOCK_SEED}. */
    static final String ENV_PREFIX = "WORKER_MOCK_";
    /** Where the executable's logging configuration lives (not {@code logback.xml}: this jar is also a library). */
    static final String LOGBACK_CONFIG = "worker-mock-logback.xml";

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
    private boolean version;

    MockMain() {
    }

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
        }
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** Runs {@code worker-mock} with these arguments, printing to the given writers; returns the exit code. */
    public static int run(Map<String, String> environment, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine(environment);
        cli.setOut(out);
        cli.setErr(err);
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The command line with its defaults and error handlers, for running commands in process (tests, tools). */
    public static CommandLine commandLine(Map<String, String> environment) {
        CommandLine cli = new CommandLine(new MockMain());
        cli.getCommandSpec().version("worker-mock " + BuildVersion.current());
        EnvironmentDefaults defaults = new EnvironmentDefaults(ENV_PREFIX, environment);
        // Positional parameters and the help options read nothing from the environment.
        cli.setDefaultValueProvider(arg -> arg instanceof OptionSpec option && !option.usageHelp()
                && !option.versionHelp() ? defaults.value(option.longestName()).orElse(null) : null);
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            err.println("error: " + e.getMessage());
            UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return command.getCommandSpec().exitCodeOnInvalidInput();
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ParameterException invalid) {
                // Values that parse but do not validate together (e.g. a rate above 1) are usage errors too.
                return commandLine.getParameterExceptionHandler().handleParseException(invalid,
                        parseResult.originalArgs().toArray(String[]::new));
            }
            PrintWriter err = commandLine.getErr();
            err.println("error: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: use one of " + spec.subcommands().keySet());
    }
}
