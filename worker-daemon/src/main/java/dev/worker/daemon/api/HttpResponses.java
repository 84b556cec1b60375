package dev.worker.daemon.api;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;

/** Netty responses from {@link ApiResponse}s. */
final class HttpResponses {
    private HttpResponses() {
    }

    /**
     * @param close  the connection closes after this response ({@code Connection: close})
     * @param http10 the request was HTTP/1.0 and stays open, which that version must be told
     */
    static FullHttpResponse of(ApiResponse response, boolean close, boolean http10) {
        // A 204 carries neither a body nor Content-Length (RFC 9110).
        boolean empty = response.status().equals(HttpResponseStatus.NO_CONTENT);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(),
                empty ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body()));
        if (!empty) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        }
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        for (Map.Entry<String, String> h : response.headers().entrySet()) {
            res.headers().set(h.getKey(), h.getValue());
        }
        if (close) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return res;
    }
}
