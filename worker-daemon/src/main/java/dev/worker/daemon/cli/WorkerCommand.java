package dev.worker.daemon.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code worker} executable: {@code serve} runs the daemon; the other commands talk to a running one. */
@Command(name = "worker", mixinStandardHelpOptions = true, version = "worker 0.1.0",
        description = "Keeps a worker node's assigned data chunks on local disk and lets query processes find them.",
        subcommands = {ServeCommand.class, ChunkCommand.class, FindCommand.class, AssignCommand.class,
                LeaseCommand.class},
        footer = {"", "Every option can also come from an environment variable: --data-dir from WORKER_DATA_DIR, "
                + "--url from WORKER_URL, and so on.", "Exit codes: 0 ok, 1 failure, 2 usage error."})
public final class WorkerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** A command line for {@code worker} reading option defaults from {@code env}, printing to the given writers. */
    public static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new WorkerCommand());
        cli.setDefaultValueProvider(new EnvDefaults(env));
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
