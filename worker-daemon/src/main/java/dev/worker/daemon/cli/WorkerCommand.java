package dev.worker.daemon.cli;

import dev.worker.core.launch.BuildVersion;
import dev.worker.core.launch.EnvironmentDefaults;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code worker} executable: {@code serve} runs the daemon; the other commands talk to a running one. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Keeps a worker node's assigned data chunks on local disk and lets query processes find them.",
        subcommands = {ServeCommand.class, ChunkCommand.class, FindCommand.class, AssignCommand.class,
                CatalogCommand.class, LeaseCommand.class},
        footer = {"", "Every option can also come from an environment variable: --data-dir from WORKER_DATA_DIR, "
                + "--url from WORKER_URL, and so on.", "Exit codes: 0 ok, 1 failure, 2 usage error."})
public final class WorkerCommand implements Runnable {
    /** Option defaults come from variables named this and the option's name, e.g. {@code WORKER_DATA_DIR}. */
    public static final String ENV_PREFIX = "WORKER_";

    @Spec
    CommandSpec spec;

    /** The environment the command line reads (options' defaults; AWS_* and HOME for S3 settings). */
    private Map<String, String> env = Map.of();

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** The environment of the {@code worker} command line that {@code spec} belongs to. */
    static Map<String, String> env(CommandSpec spec) {
        CommandLine top = spec.commandLine();
        while (top.getParent() != null) {
            top = top.getParent();
        }
        return top.getCommand() instanceof WorkerCommand root ? root.env : System.getenv();
    }

    /** A command line for {@code worker} reading option defaults from {@code env}, printing to the given writers. */
    public static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
        WorkerCommand root = new WorkerCommand();
        root.env = Map.copyOf(env);
        CommandLine cli = new CommandLine(root);
        cli.getCommandSpec().version("worker " + BuildVersion.current());
        EnvironmentDefaults defaults = new EnvironmentDefaults(ENV_PREFIX, env);
        // Positional parameters and the help options read nothing from the environment.
        cli.setDefaultValueProvider(arg -> arg instanceof CommandLine.Model.OptionSpec option && !option.usageHelp()
                && !option.versionHelp() ? defaults.value(option.longestName()).orElse(null) : null);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter e = ex.getCommandLine().getErr();
            e.println("error: " + ex.getMessage());
            e.println("(see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            e.flush();
            return CommandLine.ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            if (ex instanceof CliException) {
                e.println("error: " + ex.getMessage());
            } else {
                e.println("error: " + ex);
                ex.printStackTrace(e);
            }
            e.flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    /** Runs {@code worker} with these arguments; returns the exit code. */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        int code = commandLine(env, out, err).execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
