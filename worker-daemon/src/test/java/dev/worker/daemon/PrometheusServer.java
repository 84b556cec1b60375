package dev.worker.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.worker.testkit.Await;
import dev.worker.testkit.DebianPackages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Prometheus (and its promtool) for tests: the package is downloaded and unpacked under target/, not
 * installed, because installing it would start a system-wide Prometheus service. The server runs on 127.0.0.1
 * with its data under the test's directory and answers instant queries.
 */
final class PrometheusServer implements AutoCloseable {
    static final Path TOOLS = Path.of("target", "tools", "prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final URI base;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Process process, URI base) {
        this.process = process;
        this.base = base;
    }

    /** Empty when the binaries are there (fetched if needed), else why not. */
    static Optional<String> unavailable() {
        return DebianPackages.unpack("prometheus", TOOLS, Path.of("usr", "bin", "prometheus"));
    }

    static Path binary(String name) {
        return TOOLS.resolve("root").resolve("usr").resolve("bin").resolve(name).toAbsolutePath();
    }

    /** Starts with {@code config} (prometheus.yml text) and waits until it is ready. */
    static PrometheusServer start(Path dir, String config) throws IOException, InterruptedException {
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config);
        int port = freePort();
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary("prometheus").toString(), "--config.file=" + file,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port));
        try {
            Await.until("Prometheus is ready (log: " + log + ")", Duration.ofSeconds(60), () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Prometheus exited: " + read(log));
                }
                try {
                    return server.get("/-/ready").statusCode() == 200;
                } catch (IllegalStateException notListeningYet) {
                    return false;
                }
            });
            return server;
        } catch (RuntimeException | Error | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    /** The result vector of an instant query; throws when Prometheus refuses the query. */
    List<JsonNode> query(String expr) {
        HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        JsonNode body = parse(r.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new AssertionError("Prometheus refused `" + expr + "`: " + r.body());
        }
        List<JsonNode> out = new ArrayList<>();
        body.path("data").path("result").forEach(out::add);
        return out;
    }

    /** GET an API path; returns its {@code data}. */
    JsonNode api(String path) {
        return parse(get(path).body()).path("data");
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus does not answer " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON from Prometheus: " + body, e);
        }
    }

    /** A port nothing listens on right now (for Prometheus, which cannot report a port 0 it was given). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
