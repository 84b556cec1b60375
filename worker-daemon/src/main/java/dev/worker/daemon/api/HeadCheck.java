package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What a request head alone decides, before any of its body is read, in this order: token, browser rules (without
 * a token), route, a body on a route that takes none, the body's type (without a token), its declared size, the
 * expectation. Pure: no I/O.
 */
final class HeadCheck {
    /** The outcome for one head. */
    sealed interface Verdict {
        /** Read the body and serve the request. */
        record Accept(Router.Match match) implements Verdict {
            public Accept {
                requireNonNull(match, "match");
            }
        }

        /** Answer {@code error} at once; {@code close} when the connection is of no use after it. */
        record Refuse(ApiException error, boolean close) implements Verdict {
            public Refuse {
                requireNonNull(error, "error");
            }
        }
    }

    private final AdminContext context;

    HeadCheck(AdminContext context) {
        this.context = requireNonNull(context, "context");
    }

    Verdict check(HttpRequest head) {
        if (head.decoderResult().isFailure()) {
            return new Verdict.Refuse(ErrorMapper.decoderFailure(head.decoderResult().cause()), true);
        }
        // A client waiting for 100 Continue sends no body after a refusal: the rest of its message never comes.
        boolean waitsForContinue = HttpUtil.is100ContinueExpected(head);
        try {
            Router.Match match = authorizedRoute(head);
            Route route = match.route();
            long declared = HttpUtil.getContentLength(head, -1L);
            boolean hasBody = HttpUtil.isTransferEncodingChunked(head) || declared > 0;
            long limit = context.limits().bodyLimit(route);
            if (limit == 0 && hasBody) {
                // Nobody needs it read; reading it would let anyone, token or not, hold the connection with it.
                return new Verdict.Refuse(new ApiException(ApiError.PAYLOAD_TOO_LARGE, route.method() + " "
                        + route.pattern() + " takes no body; send none"), true);
            }
            checkBody(head, route, declared, hasBody, limit);
            return new Verdict.Accept(match);
        } catch (ApiException e) {
            return new Verdict.Refuse(e, waitsForContinue);
        }
    }

    /** Token, then (without one) Host and Origin, then the route. */
    private Router.Match authorizedRoute(HttpRequest head) {
        Router.Match routed = null;
        ApiException routeError = null;
        try {
            routed = Router.route(head.method(), head.uri());
        } catch (ApiException e) {
            routeError = e;
        }
        BearerAuth auth = context.auth();
        // Unknown paths need the token too, so that without it nothing about the API can be learned.
        boolean open = routed != null && !routed.route().needsToken();
        if (!open && !auth.permits(head.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            throw new ApiException(ApiError.UNAUTHORIZED,
                    "missing or wrong bearer token: send the header Authorization: Bearer <token>");
        }
        if (!auth.enabled()) {
            context.browserGuard().checkHostAndOrigin(head.headers());
        }
        if (routeError != null) {
            throw routeError;
        }
        return routed;
    }

    /** Without a token the body's type, then its declared size, then the expectation. */
    private void checkBody(HttpRequest head, Route route, long declared, boolean hasBody, long limit) {
        if (!context.auth().enabled()) {
            context.browserGuard().checkContentType(head.headers(), hasBody);
        }
        if (declared > limit) {
            throw tooLarge(route, "of " + declared + " bytes", limit);
        }
        String expect = head.headers().get(HttpHeaderNames.EXPECT);
        // HTTP/1.0 has no expectations (RFC 9110 10.1.1); the aggregator would answer others with a bare 417.
        if (expect != null && head.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
            throw new ApiException(ApiError.EXPECTATION_FAILED, "unsupported Expect: '" + ApiJson.abbreviate(expect)
                    + "' (only 100-continue is)");
        }
    }

    static ApiException tooLarge(Route route, String what, long limit) {
        return new ApiException(ApiError.PAYLOAD_TOO_LARGE, "the request body " + what + " exceeds the limit of "
                + limit + " bytes for " + route.method() + " " + route.pattern());
    }
}
