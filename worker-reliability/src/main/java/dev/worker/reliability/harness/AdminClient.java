package dev.worker.reliability.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;

/**
 * A client of the daemon's admin API that never throws for transport trouble: a refused connection, a reset or a
 * timeout is a {@link Reply} with status -1 (the suites kill the daemon under it on purpose).
 */
public final class AdminClient implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Optional<String> token;
    private final Duration timeout;
    private final HttpClient http;

    public AdminClient(URI base, Optional<String> token, Duration timeout) {
        this.base = requireNonNull(base, "base");
        this.token = requireNonNull(token, "token");
        this.timeout = requireNonNull(timeout, "timeout");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    public AdminClient(URI base) {
        this(base, Optional.empty(), Duration.ofSeconds(60));
    }

    /**
     * An answer; {@code status} is -1 when there was none ({@code error} says why).
     *
     * @param micros how long the exchange took
     */
    public record Reply(int status, String body, String error, long micros) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (HTTP " + status + "): " + body, e);
            }
        }

        public String errorCode() {
            return status < 0 ? "transport" : json().path("error").path("code").asText();
        }

        @Override
        public String toString() {
            return status < 0 ? "no answer (" + error + ")" : "HTTP " + status + " " + abbreviate(body, 300);
        }
    }

    public URI base() {
        return base;
    }

    public Reply get(String path) {
        return send("GET", path, null);
    }

    public Reply delete(String path) {
        return send("DELETE", path, null);
    }

    public Reply post(String path, String body) {
        return send("POST", path, body);
    }

    public Reply put(String path, String body) {
        return send("PUT", path, body);
    }

    public Reply send(String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), null, (System.nanoTime() - start) / 1000);
        } catch (IOException e) {
            return new Reply(-1, "", e.toString(), (System.nanoTime() - start) / 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, "", "interrupted", (System.nanoTime() - start) / 1000);
        }
    }

    /**
     * {@code GET /metrics} as {@code name{labels} -> value}, e.g. {@code worker_download_bytes_total -> 1.2E8} and
     * {@code worker_download_retries_total{reason="stall"} -> 3.0}; empty when there was no answer.
     */
    public Map<String, Double> metrics() {
        Reply r = get("/metrics");
        Map<String, Double> values = new HashMap<>();
        if (r.status() != 200) {
            return values;
        }
        for (String line : r.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            try {
                values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            } catch (NumberFormatException e) {
                // Not a sample line.
            }
        }
        return values;
    }

    public static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...(" + s.length() + " chars)";
    }

    @Override
    public void close() {
        // Not close(): it would wait for exchanges with a daemon that may be gone or never answer.
        http.shutdownNow();
    }
}
