package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/** A complete response: status, body bytes with their content type, and extra headers. */
public record ApiResponse(HttpResponseStatus status, byte[] body, String contentType, Map<String, String> headers) {
    public static final String JSON = "application/json";

    public ApiResponse {
        requireNonNull(status, "status");
        requireNonNull(body, "body");
        requireNonNull(contentType, "contentType");
        headers = Map.copyOf(headers);
    }

    public static ApiResponse json(HttpResponseStatus status, byte[] body) {
        return new ApiResponse(status, body, JSON, Map.of());
    }

    public static ApiResponse noContent() {
        return new ApiResponse(HttpResponseStatus.NO_CONTENT, new byte[0], JSON, Map.of());
    }
}
