package dev.worker.daemon.api;

import dev.worker.core.ConflictingDescriptorException;
import dev.worker.core.ManagerClosedException;
import dev.worker.core.UnusableSourceException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become error responses {@code {"error": {"code", "message"}}}. */
public final class ErrorMapper {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {
    }

    public static ApiResponse toResponse(Throwable failure, String requestLine) {
        Throwable t = unwrap(failure);
        ApiException api = switch (t) {
            case ApiException e -> e;
            case ConflictingDescriptorException e -> new ApiException(ApiError.CONFLICT, e.getMessage(), e);
            case UnusableSourceException e -> new ApiException(ApiError.INVALID_REQUEST, e.getMessage(), e);
            case ManagerClosedException e ->
                    new ApiException(ApiError.UNAVAILABLE, "the daemon is shutting down; try again later", e);
            case TimeoutException e -> new ApiException(ApiError.UNAVAILABLE,
                    "the request was accepted but not confirmed durable in time; it is safe to repeat it", e);
            case IOException e -> {
                // The intent journal could not write: the intent may not survive a crash, so it was not accepted.
                log.warn("intent not durable request=\"{}\"", requestLine, e);
                yield new ApiException(ApiError.UNAVAILABLE,
                        "the intent could not be written to the journal: " + e.getMessage(), e);
            }
            default -> {
                log.error("internal error request=\"{}\"", requestLine, t);
                yield new ApiException(ApiError.INTERNAL, "internal error (" + t.getClass().getSimpleName()
                        + "); see the daemon's log");
            }
        };
        return of(api);
    }

    public static ApiResponse of(ApiException e) {
        Map<String, String> headers = new HashMap<>(e.headers());
        if (e.error() == ApiError.UNAUTHORIZED) {
            headers.put("WWW-Authenticate", "Bearer realm=\"worker\"");
        }
        return new ApiResponse(e.error().status(), ApiJson.error(e.error(), e.getMessage()), ApiResponse.JSON, headers);
    }

    public static ApiResponse of(ApiError error, String message) {
        return of(new ApiException(error, message));
    }

    /** What the HTTP decoder could not read: 414, 431 or 400. */
    static ApiException decoderFailure(Throwable cause) {
        return switch (cause) {
            case TooLongHttpLineException e ->
                    new ApiException(ApiError.URI_TOO_LONG, "the request line is too long: " + e.getMessage());
            case TooLongHttpHeaderException e -> new ApiException(ApiError.HEADERS_TOO_LARGE,
                    "the request headers are too large: " + e.getMessage());
            case TooLongFrameException e ->
                    new ApiException(ApiError.INVALID_REQUEST, "a part of the request is too long: " + e.getMessage());
            default -> new ApiException(ApiError.INVALID_REQUEST, "malformed HTTP request: " + cause.getMessage());
        };
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
