package dev.worker.mock.drive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptorJson;
import java.io.IOException;

/**
 * An HTTP answer: status and body.
 *
 * @param method the request's method, for messages
 * @param path   the request's path, for messages
 * @param status the HTTP status
 * @param body   the body as text
 */
record Reply(String method, String path, int status, String body) {
    boolean ok() {
        return status >= 200 && status < 300;
    }

    /**
     * The body as JSON.
     *
     * @throws IOException when it is not JSON (a daemon answering garbage is a finding, not a driver bug)
     */
    JsonNode json() throws IOException {
        try {
            return ChunkDescriptorJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IOException(method + " " + path + " answered HTTP " + status + " with a body that is not "
                    + "JSON: " + abbreviate(body), e);
        }
    }

    /** {@code POST /v1/chunks: HTTP 409 conflict: <message>}. */
    String describe() {
        String detail = abbreviate(body);
        try {
            JsonNode error = ChunkDescriptorJson.MAPPER.readTree(body).path("error");
            if (error.hasNonNull("code")) {
                detail = error.path("code").asText() + ": " + error.path("message").asText();
            }
        } catch (JsonProcessingException e) {
            // Not JSON: the raw text says it.
        }
        return method + " " + path + ": HTTP " + status + (detail.isEmpty() ? "" : " " + detail);
    }

    static String abbreviate(String text) {
        String s = text.strip();
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
