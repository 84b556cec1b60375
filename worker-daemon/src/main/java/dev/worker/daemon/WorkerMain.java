package dev.worker.daemon;

import dev.worker.daemon.cli.WorkerCommand;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/** Entry point of the {@code worker} executable. */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) {
        Charset charset = System.console() != null ? System.console().charset() : Charset.defaultCharset();
        PrintWriter out = new PrintWriter(System.out, true, charset);
        PrintWriter err = new PrintWriter(System.err, true, charset);
        System.exit(WorkerCommand.run(args, System.getenv(), out, err));
    }
}
