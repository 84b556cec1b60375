package dev.worker.testkit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The daemon's admin API for tests and suites, over real HTTP. It never throws for transport trouble: a refused
 * connection, a reset or a timeout is a {@link Reply} with status -1 (suites kill the daemon under it on purpose, and
 * a test that expected an answer fails on the status). Thread-safe.
 */
public final class AdminHttp implements AutoCloseable {
    /** Longer than the daemon's 30 s wait for its journal, so a slow intent gets its 503 rather than a timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each check of {@link #awaitState} is a request: not too often. */
    private static final Duration STATE_POLL = Duration.ofMillis(10);
    private static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (name, value) -> true);

    private final URI base;
    private final Optional<String> token;
    private final Duration timeout;
    private final HttpClient http;

    public AdminHttp(URI base, Optional<String> token, Duration timeout) {
        this.base = requireNonNull(base, "base");
        this.token = requireNonNull(token, "token");
        this.timeout = requireNonNull(timeout, "timeout");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    public AdminHttp(URI base) {
        this(base, Optional.empty(), DEFAULT_TIMEOUT);
    }

    /** With {@code Authorization: Bearer <token>} on every request. */
    public AdminHttp(URI base, String token) {
        this(base, Optional.of(token), DEFAULT_TIMEOUT);
    }

    /**
     * An answer; {@code status} is -1 when there was none ({@code error} says why).
     *
     * @param headers the response's headers (none when there was no answer)
     * @param nanos   how long the exchange took
     */
    public record Reply(int status, String body, HttpHeaders headers, String error, long nanos) {
        /** The first value of a response header. */
        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public long millis() {
            return nanos / 1_000_000;
        }

        /** @throws IllegalStateException when the body is not JSON */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + this + ")", e);
            }
        }

        /** The API's error code; {@code transport} when there was no answer. */
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

    /** @param body JSON, or null for none */
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
            return new Reply(r.statusCode(), r.body(), r.headers(), null, System.nanoTime() - start);
        } catch (IOException e) {
            return new Reply(-1, "", NO_HEADERS, e.toString(), System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, "", NO_HEADERS, "interrupted", System.nanoTime() - start);
        }
    }

    /**
     * Polls {@code GET /v1/chunks/{id}} until the chunk is in {@code state}; {@code absent} also means "unknown"
     * (404).
     *
     * @return the chunk's status, or empty when it became absent
     * @throws AssertionError with the last answer when it did not get there within {@code timeout}
     */
    public Optional<JsonNode> awaitState(String chunkId, String state, Duration timeout) throws InterruptedException {
        AtomicReference<Reply> last = new AtomicReference<>();
        boolean reached = Await.poll(() -> {
            Reply r = get("/v1/chunks/" + chunkId);
            last.set(r);
            return r.status() == 200 && r.json().path("state").asText().equals(state)
                    || state.equals("absent") && r.status() == 404;
        }, timeout, STATE_POLL);
        if (!reached) {
            throw new AssertionError("chunk " + chunkId + " not " + state + " within " + timeout + "; last: "
                    + last.get());
        }
        return last.get().status() == 200 ? Optional.of(last.get().json()) : Optional.empty();
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

    /** At most {@code max} characters of {@code s}, saying how long it was. */
    public static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...(" + s.length() + " chars)";
    }

    @Override
    public void close() {
        // Not close(): it would wait for exchanges with a daemon that may be gone or never answer.
        http.shutdownNow();
    }
}
