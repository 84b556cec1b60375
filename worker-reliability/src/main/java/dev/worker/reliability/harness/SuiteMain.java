package dev.worker.reliability.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/** The common {@code main} of the suites: parse, run, print, exit 0 (passed), 1 (violations or error), 2 (usage). */
public final class SuiteMain {
    /** A suite's run; true when it passed. */
    @FunctionalInterface
    public interface Body {
        boolean run(SuiteArgs args, PrintStream out) throws Exception;
    }

    private SuiteMain() {
    }

    public static void run(String name, String[] args, Set<String> options, Set<String> flags, Body body) {
        // The harness's own log (the storage, the HTTP clients) is noise next to the report; the daemon's log goes
        // to a file. Set before the first logger exists.
        if (System.getProperty("WORKER_LOG_LEVEL") == null) {
            System.setProperty("WORKER_LOG_LEVEL", "WARN");
        }
        PrintStream out = System.out;
        SuiteArgs parsed;
        try {
            parsed = SuiteArgs.parse(args, options, flags);
        } catch (SuiteArgs.UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(usage(name, options, flags));
            System.exit(2);
            return;
        }
        if (parsed.has("help")) {
            out.println(usage(name, options, flags));
            out.println("See docs/reliability.md.");
            System.exit(0);
            return;
        }
        boolean passed;
        try {
            passed = body.run(parsed, out);
        } catch (SuiteArgs.UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            System.err.println("error: the " + name + " suite could not run: " + e);
            e.printStackTrace(System.err);
            System.exit(1);
            return;
        }
        if (passed && !parsed.has("keep")) {
            parsed.createdWorkDir().ifPresent(dir -> deleteTree(dir, out));
        }
        out.println(passed ? "PASSED" : "FAILED");
        out.flush();
        System.exit(passed ? 0 : 1);
    }

    private static String usage(String name, Set<String> options, Set<String> flags) {
        return "usage: reliability/run.sh " + name + " [--iterations N] [--duration 60s] [--seed N] [--work-dir DIR]"
                + " [--keep]" + (options.isEmpty() ? "" : " [--" + String.join(" V] [--", options) + " V]")
                + (flags.isEmpty() ? "" : " [--" + String.join("] [--", flags) + "]");
    }

    private static void deleteTree(Path dir, PrintStream out) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            out.println("warning: could not remove the work directory " + dir + ": " + e);
        }
    }
}
