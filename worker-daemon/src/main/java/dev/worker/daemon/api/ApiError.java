package dev.worker.daemon.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Every error the admin API answers with: the HTTP status and the snake_case code of the
 * {@code {"error": {"code", "message"}}} body. The one table of codes; {@link ErrorMapper} maps exceptions onto it.
 */
public enum ApiError {
    INVALID_JSON(HttpResponseStatus.BAD_REQUEST),
    INVALID_REQUEST(HttpResponseStatus.BAD_REQUEST),
    UNAUTHORIZED(HttpResponseStatus.UNAUTHORIZED),
    FORBIDDEN(HttpResponseStatus.FORBIDDEN),
    NOT_FOUND(HttpResponseStatus.NOT_FOUND),
    METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED),
    REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT),
    CONFLICT(HttpResponseStatus.CONFLICT),
    PAYLOAD_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG),
    EXPECTATION_FAILED(HttpResponseStatus.EXPECTATION_FAILED),
    TOO_MANY_LEASES(HttpResponseStatus.TOO_MANY_REQUESTS),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE),
    INTERNAL(HttpResponseStatus.INTERNAL_SERVER_ERROR),
    NOT_READY(HttpResponseStatus.SERVICE_UNAVAILABLE),
    UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE);

    private final HttpResponseStatus status;
    private final String code;

    ApiError(HttpResponseStatus status) {
        this.status = status;
        this.code = name().toLowerCase(java.util.Locale.ROOT);
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** The snake_case code in the error body. */
    public String code() {
        return code;
    }
}
