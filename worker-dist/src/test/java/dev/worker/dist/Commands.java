package dev.worker.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end and keeps what it printed (stdout and stderr together). */
final class Commands {
    private static final long TIMEOUT_SECONDS = 300;

    private Commands() {
    }

    record Result(List<String> command, int exit, String output) {
        Result check() {
            if (exit != 0) {
                throw new AssertionError("exit code " + exit + " from " + String.join(" ", command) + ":\n" + output);
            }
            return this;
        }
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        return run(command, null);
    }

    /** @param environment the whole environment, or null to inherit this process's */
    static Result run(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (environment != null) {
            builder.environment().clear();
            builder.environment().putAll(environment);
        }
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within " + TIMEOUT_SECONDS + " s");
        }
        return new Result(List.copyOf(command), process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    static Result check(List<String> command) throws IOException, InterruptedException {
        return run(command).check();
    }
}
