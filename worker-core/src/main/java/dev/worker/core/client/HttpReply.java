package dev.worker.core.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * An HTTP answer, whatever its status.
 *
 * @param method the request's method, for messages
 * @param path   the request's path (or URL), for messages
 * @param status the HTTP status
 * @param body   the body as text
 */
public record HttpReply(String method, String path, int status, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ABBREVIATED = 200;

    public HttpReply {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        requireNonNull(body, "body");
    }

    /** A 2xx status. */
    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /**
     * The body as JSON.
     *
     * @throws IOException when it is not JSON (naming the request and the status)
     */
    public JsonNode json() throws IOException {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IOException(method + " " + path + " answered HTTP " + status + " with a body that is not "
                    + "JSON: " + abbreviate(body), e);
        }
    }

    /** The API's error code ({@code {"error": {"code": ...}}}); empty when the body has none. */
    public String errorCode() {
        return error().path("code").asText("");
    }

    /** The API's error message; empty when the body has none. */
    public String errorMessage() {
        return error().path("message").asText("");
    }

    /** {@code POST /v1/chunks: HTTP 409 conflict: <message>}, or the start of a body that is not an API error. */
    public String describe() {
        String detail = errorCode().isEmpty() ? abbreviate(body) : errorCode() + ": " + errorMessage();
        return method + " " + path + ": HTTP " + status + (detail.isEmpty() ? "" : " " + detail);
    }

    private JsonNode error() {
        try {
            return JSON.readTree(body).path("error");
        } catch (JsonProcessingException e) {
            return JSON.missingNode(); // not JSON: no API error in it
        }
    }

    /** At most 200 characters of {@code text}, stripped. */
    public static String abbreviate(String text) {
        String s = text.strip();
        return s.length() <= ABBREVIATED ? s : s.substring(0, ABBREVIATED) + "...";
    }
}
