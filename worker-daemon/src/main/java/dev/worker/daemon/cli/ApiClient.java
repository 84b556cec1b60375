package dev.worker.daemon.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptorJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * A small client of the admin API on the JDK's HttpClient; failures become {@link CliException}s with the API's
 * message.
 */
final class ApiClient implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final URI base;
    private final Optional<String> token;
    private final HttpClient http;

    ApiClient(URI base, Optional<String> token) {
        this.base = requireNonNull(base, "base");
        this.token = requireNonNull(token, "token");
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** A response: status, raw body and (when the body is JSON) the parsed tree. */
    record Reply(int status, String body, JsonNode json) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    Reply get(String path) throws CliException {
        return send(request(path).GET());
    }

    Reply delete(String path) throws CliException {
        return send(request(path).DELETE());
    }

    Reply post(String path, byte[] body) throws CliException {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    Reply put(String path, byte[] body) throws CliException {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** Sends and demands a 2xx answer; anything else becomes a CliException carrying the API's message. */
    Reply expectOk(Reply reply) throws CliException {
        if (reply.ok()) {
            return reply;
        }
        throw new CliException(errorMessage(reply));
    }

    static String errorMessage(Reply reply) {
        JsonNode error = reply.json() == null ? null : reply.json().get("error");
        if (error != null && error.hasNonNull("message")) {
            return error.get("message").asText() + " (HTTP " + reply.status() + ", "
                    + error.path("code").asText("error") + ")";
        }
        return "the daemon answered HTTP " + reply.status() + (reply.body().isBlank() ? "" : ": " + reply.body());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json");
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return b;
    }

    private Reply send(HttpRequest.Builder builder) throws CliException {
        HttpRequest request = builder.build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliException("cannot connect to the daemon at " + base + " (is `worker serve` running there? "
                    + "set --url or WORKER_URL)", e);
        } catch (HttpTimeoutException e) {
            throw new CliException("the daemon at " + base + " did not answer in time", e);
        } catch (IOException e) {
            throw new CliException("request to " + base + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", e);
        }
        JsonNode json = null;
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (contentType.startsWith("application/json") && !response.body().isEmpty()) {
            try {
                json = ChunkDescriptorJson.MAPPER.readTree(response.body());
            } catch (IOException e) {
                throw new CliException("the daemon sent malformed JSON: " + e.getMessage(), e);
            }
        }
        return new Reply(response.statusCode(), response.body(), json);
    }

    /** Percent-encodes one path segment (everything but unreserved characters). */
    static String segment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format(java.util.Locale.ROOT, "%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    URI base() {
        return base;
    }

    @Override
    public void close() {
        http.close();
    }
}
