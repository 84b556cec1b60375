package dev.worker.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.client.AdminClient;
import dev.worker.core.client.HttpReply;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** The admin API for the client commands: core's {@link AdminClient}, with failures as {@link CliException}s. */
final class ApiClient implements AutoCloseable {
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final AdminClient admin;

    ApiClient(URI base, Optional<String> token) {
        this.admin = new AdminClient(base, token, REQUEST_TIMEOUT);
    }

    HttpReply get(String path) throws CliException {
        return send("GET", path, Optional.empty());
    }

    HttpReply delete(String path) throws CliException {
        return send("DELETE", path, Optional.empty());
    }

    HttpReply post(String path, byte[] body) throws CliException {
        return send("POST", path, Optional.of(body));
    }

    HttpReply put(String path, byte[] body) throws CliException {
        return send("PUT", path, Optional.of(body));
    }

    /** Demands a 2xx answer; anything else becomes a CliException carrying the API's message. */
    HttpReply expectOk(HttpReply reply) throws CliException {
        if (reply.ok()) {
            return reply;
        }
        throw new CliException(errorMessage(reply));
    }

    /** The answer's JSON body; a daemon that sent something else is a failure. */
    static JsonNode json(HttpReply reply) throws CliException {
        try {
            return reply.json();
        } catch (IOException e) {
            throw new CliException("the daemon sent malformed JSON: " + e.getMessage(), e);
        }
    }

    static String errorMessage(HttpReply reply) {
        if (!reply.errorMessage().isEmpty()) {
            return reply.errorMessage() + " (HTTP " + reply.status() + ", "
                    + (reply.errorCode().isEmpty() ? "error" : reply.errorCode()) + ")";
        }
        return "the daemon answered HTTP " + reply.status() + (reply.body().isBlank() ? "" : ": " + reply.body());
    }

    private HttpReply send(String method, String path, Optional<byte[]> body) throws CliException {
        try {
            return admin.send(method, path, body);
        } catch (ConnectException e) {
            throw new CliException("cannot connect to the daemon at " + admin.base() + " (is `worker serve` running "
                    + "there? set --url or WORKER_URL)", e);
        } catch (HttpTimeoutException e) {
            throw new CliException("the daemon at " + admin.base() + " did not answer in time", e);
        } catch (IOException e) {
            throw new CliException("request to " + admin.base() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", e);
        }
    }

    /** Percent-encodes one path segment (everything but unreserved characters). */
    static String segment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    URI base() {
        return admin.base();
    }

    @Override
    public void close() {
        admin.close();
    }
}
