package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Headers added to the requests for some hosts ({@code --source-headers FILE}): a CDN token, a timed HMAC that
 * another process keeps fresh in the file. The file is JSON, host (or {@code .suffix}) to headers:
 * <pre>{"cdn.example.com": {"X-Token": "..."}, ".r2.dev": {"Authorization": "Bearer ..."}}</pre>
 * An exact host wins over a suffix, a longer suffix over a shorter one; headers go only to the host they are for,
 * also on a redirect (each hop looks its own host up). The file is read again when it changes. Values are secrets:
 * no message or log line here quotes one.
 */
public final class SourceHeaders {
    /** Headers the transfer itself sets, or that would change the connection: refused in the file. */
    private static final Set<String> RESERVED = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "range", "if-range", "te", "trailer", "transfer-encoding", "keep-alive", "proxy-connection",
            "proxy-authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WatchedFile<Map<String, Map<String, String>>> file;

    private SourceHeaders(Path path) {
        this.file = new WatchedFile<>(path, SourceHeaders::parse);
    }

    /**
     * Reads {@code path} now, so that a bad file stops the start.
     *
     * @throws IllegalArgumentException when it cannot be read or is not a valid mapping (saying why)
     */
    public static SourceHeaders load(Path path) {
        requireNonNull(path, "path");
        SourceHeaders headers = new SourceHeaders(path);
        try {
            headers.file.current();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --source-headers file " + path + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--source-headers file " + path + ": " + e.getMessage(), e);
        }
        return headers;
    }

    /** The headers for requests to {@code host}, as the file says now; empty when none apply. */
    public Map<String, String> forHost(String host) throws IOException {
        Map<String, Map<String, String>> mapping = file.current();
        String name = host.toLowerCase(Locale.ROOT);
        Map<String, String> exact = mapping.get(name);
        if (exact != null) {
            return exact;
        }
        String best = null;
        for (String key : mapping.keySet()) {
            if (key.startsWith(".") && (name.endsWith(key) || name.equals(key.substring(1)))
                    && (best == null || key.length() > best.length())) {
                best = key;
            }
        }
        return best == null ? Map.of() : mapping.get(best);
    }

    /** Parses and checks the file's content; messages name hosts and header names, never values. */
    static Map<String, Map<String, String>> parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (line " + e.getLocation().getLineNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object of host to headers");
        }
        Map<String, Map<String, String>> mapping = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String host = entry.getKey().strip().toLowerCase(Locale.ROOT);
            if (!host.matches("\\.?[a-z0-9]([a-z0-9.-]*[a-z0-9])?") && !Cidr.isLiteral(host)) {
                throw new IllegalArgumentException("'" + entry.getKey() + "' is not a host name or .suffix");
            }
            if (!entry.getValue().isObject()) {
                throw new IllegalArgumentException("the headers for " + host + " must be an object of name to value");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> header : entry.getValue().properties()) {
                String name = header.getKey();
                if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                    throw new IllegalArgumentException("'" + name + "' (for " + host + ") is not a header name");
                }
                if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("header " + name + " (for " + host + ") is set by the "
                            + "download itself and cannot be configured");
                }
                if (!header.getValue().isTextual() || header.getValue().asText().chars()
                        .anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                    throw new IllegalArgumentException("the value of header " + name + " (for " + host + ") must be "
                            + "a string without line breaks");
                }
                headers.put(name, header.getValue().asText());
            }
            mapping.put(host, Map.copyOf(headers));
        }
        return Map.copyOf(mapping);
    }

    /** The hosts the file names, for a start-up log line (no values). */
    public List<String> hosts() throws IOException {
        return List.copyOf(file.current().keySet());
    }
}
