package dev.worker.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.DaemonProcess;
import dev.worker.testkit.DebianPackages;
import dev.worker.testkit.FileServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package installed with dpkg into a throwaway copy of this machine: the unit files pass
 * {@code systemd-analyze verify}, the unit's ExecStart, run as its user with its environment file, starts a daemon
 * that becomes ready and downloads into the data directory, and removing (even purging) the package leaves the data
 * directory alone.
 */
@Timeout(300)
final class DebianPackageIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String UNIT = "/lib/systemd/system/worker.service";
    private static final String CONTROLLER_UNIT = "/lib/systemd/system/worker-controller.service";
    private static final String CHUNK = "c".repeat(64);

    @TempDir
    Path dir;

    @Test
    void package_installs_runsAsItsUser_andLeavesTheDataOnRemoval() throws Exception {
        Optional<String> unavailable = ThrowawayRoot.unavailable()
                .or(() -> DebianPackages.ensureInstalled("systemd", Path.of("/usr/bin/systemd-analyze")));
        assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.orElseThrow());
        Path deb = Release.debianPackage();

        try (ThrowawayRoot root = ThrowawayRoot.create(Files.createDirectories(dir.resolve("root")))) {
            root.run("dpkg", "-i", root.copyIn(deb)).check();
            assertThat(root.run("getent", "passwd", "worker").check().output()).contains("/var/lib/worker");
            assertThat(root.run("stat", "-c", "%U:%G %a", "/var/lib/worker").check().output().strip())
                    .isEqualTo("worker:worker 750");

            Commands.Result verify = root.run("systemd-analyze", "verify", UNIT, CONTROLLER_UNIT);
            assertThat(verify.exit()).as(verify.output()).isZero();
            assertThat(verify.output()).as("systemd-analyze says nothing about good units").isBlank();

            Map<String, String> unit = unitKeys(root.run("cat", UNIT).check().output());
            Map<String, String> env = environmentFile(root.run("cat", unit.get("EnvironmentFile")).check().output());
            assertThat(env).containsEntry("WORKER_DATA_DIR", "/var/lib/worker");
            runExecStart(root, unit, env);

            root.run("dpkg", "-r", "worker").check();
            assertThat(root.run("test", "-e", "/opt/worker/bin/worker").exit()).as("/opt/worker removed").isNotZero();
            assertThat(root.run("test", "-f", "/etc/default/worker").exit()).as("conffile kept on remove").isZero();
            root.run("dpkg", "--purge", "worker").check();
            assertThat(root.run("test", "-e", "/etc/default/worker").exit()).as("conffile gone on purge").isNotZero();
            assertThat(root.run("test", "-f", "/var/lib/worker/chunks/" + CHUNK + "/data.bin").exit())
                    .as("the chunk stays after purge").isZero();
        }
    }

    /**
     * ExecStart as the service manager would run it: as User/Group, with only the environment file's variables
     * (the listen port made 0: tests bind no fixed port).
     */
    private void runExecStart(ThrowawayRoot root, Map<String, String> unit, Map<String, String> env)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + unit.get("User"),
                "--regid=" + unit.get("Group"), "--init-groups", "--", "env", "-i",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        env.forEach((k, v) -> command.add(k + "=" + (k.equals("WORKER_LISTEN") ? "127.0.0.1:0" : v)));
        command.addAll(Arrays.asList(unit.get("ExecStart").split("\\s+")));
        byte[] content = new byte[1 << 20];
        new Random(18).nextBytes(content);
        try (FileServer files = FileServer.start();
                DaemonProcess daemon = DaemonProcess.exec(root.command(command.toArray(String[]::new)),
                        Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
                AdminHttp http = new AdminHttp(daemon.url(WAIT))) {
            daemon.awaitReady(http, WAIT);
            assertThat(Files.readAllLines(Path.of("/proc", Long.toString(daemon.pid()), "status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1])
                    .isEqualTo(uid(root, unit.get("User")));
            String url = files.serve("/data.bin", content).url();
            assertThat(http.post("/v1/chunks", """
                    {"id": "%s", "dataset_id": "%s", "block_range": {"start": 0, "end": 10},
                     "files": {"data.bin": "%s"}}""".formatted(CHUNK, "a".repeat(64), url)).status())
                    .isEqualTo(202);
            http.awaitState(CHUNK, "ready", WAIT);
            assertThat(daemon.terminate()).as("a graceful stop exits 0").isZero();
        }
    }

    private static String uid(ThrowawayRoot root, String user) throws IOException, InterruptedException {
        return root.run("id", "-u", user).check().output().strip();
    }

    /** The [Service] keys of a unit file (the last value of each). */
    static Map<String, String> unitKeys(String unit) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String line : unit.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                keys.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return keys;
    }

    /** An EnvironmentFile as systemd reads it: KEY=value lines, comments, optional quotes around the value. */
    static Map<String, String> environmentFile(String file) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String raw : file.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            env.put(line.substring(0, eq).strip(), value);
        }
        return env;
    }
}
