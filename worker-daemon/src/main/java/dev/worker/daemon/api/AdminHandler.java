package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the admin API: handles one request at a time (reading pauses while a request is being
 * answered), checks it early (route,
 * token, declared size), gathers its body up to the route's limit, hands it to {@link AdminApi} and writes the
 * response when the future completes, on this channel's event loop. Responses go out in request order; keep-alive
 * is honoured.
 *
 * <p>A request refused before its body arrived is answered at once; the rest of its body is read and dropped, so
 * the connection stays usable and the client sees the answer rather than a reset.
 */
final class AdminHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

    /** Fired by the server on shutdown: finish the request in progress, then close. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "AdminHandler.DRAIN";
        }
    };

    private final AdminContext context;
    private final AdminApi api;
    private final ConnectionTracker tracker;

    // Per request; touched only on the channel's event loop.
    private HttpRequest request;
    private String requestLine = "-";
    private Router.Match match;
    private long limit;
    private CompositeByteBuf body;
    private boolean rejected;
    private boolean lastSeen;
    private boolean responseSent;
    private boolean closeAfter;
    private long startNanos;

    /** Waiting for a response future or for a response write: messages are held, not processed. */
    private boolean awaiting;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private boolean inDrain;
    private boolean draining;

    AdminHandler(AdminContext context, ConnectionTracker tracker) {
        this.context = requireNonNull(context, "context");
        this.api = new AdminApi(context);
        this.tracker = requireNonNull(tracker, "tracker");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        held.add(msg);
        drain(ctx);
    }

    /**
     * Processes held messages until a request needs waiting for. While waiting, the channel stops reading (the
     * codec may still hand over what it already decoded: those messages are held), so requests are answered in
     * order and a client cannot pile work up. A write may complete synchronously and call back in here; the
     * {@code inDrain} guard turns that into another turn of this loop instead of a nested one.
     */
    private void drain(ChannelHandlerContext ctx) {
        if (inDrain) {
            return;
        }
        inDrain = true;
        try {
            while (!awaiting && !held.isEmpty() && ctx.channel().isActive()) {
                process(ctx, held.poll());
            }
        } finally {
            inDrain = false;
        }
        ctx.channel().config().setAutoRead(!awaiting);
    }

    private void process(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest head) {
                onHead(ctx, head);
            }
            if (msg instanceof HttpContent content) {
                onContent(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    // ---- request head ----------------------------------------------------------------------------------------

    private void onHead(ChannelHandlerContext ctx, HttpRequest head) {
        request = head;
        requestLine = head.method() + " " + ApiJson.abbreviate(head.uri());
        startNanos = System.nanoTime();
        lastSeen = false;
        responseSent = false;
        rejected = false;
        tracker.requestStarted();
        RequestDeadline deadline = ctx.pipeline().get(RequestDeadline.class);
        if (deadline != null) {
            deadline.headReceived();
        }
        if (head.decoderResult().isFailure()) {
            closeAfter = true;
            reject(ctx, HttpResponses.decoderError(head.decoderResult().cause()));
            return;
        }
        closeAfter = !HttpUtil.isKeepAlive(head) || draining;
        try {
            match = check(head);
        } catch (ApiException e) {
            if (HttpUtil.is100ContinueExpected(head)) {
                // The client waits for our word before it sends the body and will not send it now: the rest of the
                // message would never come, so the connection cannot be reused.
                closeAfter = true;
            }
            reject(ctx, e);
            return;
        }
        limit = context.limits().bodyLimit(match.route());
        body = ctx.alloc().compositeBuffer(4096);
        if (HttpUtil.is100ContinueExpected(head)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
    }

    /** Route, token and declared size, before any of the body is read. */
    private Router.Match check(HttpRequest head) {
        Router.Match routed = null;
        ApiException routeError = null;
        try {
            routed = Router.route(head.method(), head.uri());
        } catch (ApiException e) {
            routeError = e;
        }
        // Unknown paths need the token too, so that without it nothing about the API can be learned.
        boolean open = routed != null && !routed.route().needsToken();
        if (!open && !context.auth().permits(head.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            throw new ApiException(ApiError.UNAUTHORIZED,
                    "missing or wrong bearer token: send the header Authorization: Bearer <token>");
        }
        if (routeError != null) {
            throw routeError;
        }
        long routeLimit = context.limits().bodyLimit(routed.route());
        long declared = HttpUtil.getContentLength(head, -1L);
        if (declared > routeLimit) {
            throw tooLarge(routed.route(), "of " + declared + " bytes", routeLimit);
        }
        return routed;
    }

    private static ApiException tooLarge(Route route, String what, long limit) {
        return new ApiException(ApiError.PAYLOAD_TOO_LARGE, "the request body " + what + " exceeds the limit of "
                + limit + " bytes for " + route.method() + " " + route.pattern());
    }

    // ---- request body ----------------------------------------------------------------------------------------

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (request == null) {
            return; // Content after a failed head that was already answered and closed.
        }
        if (content.decoderResult().isFailure()) {
            if (!rejected) {
                closeAfter = true;
                reject(ctx, HttpResponses.decoderError(content.decoderResult().cause()));
            } else {
                ctx.close();
            }
            return;
        }
        if (!rejected) {
            ByteBuf data = content.content();
            if ((long) body.readableBytes() + data.readableBytes() > limit) {
                // A body without a declared length ran past the limit: we cannot tell how much more is coming.
                closeAfter = true;
                reject(ctx, tooLarge(match.route(), "", limit));
            } else if (data.isReadable()) {
                body.addComponent(true, data.retain());
            }
        }
        if (content instanceof LastHttpContent) {
            lastSeen = true;
            if (!rejected) {
                dispatch(ctx);
            } else if (responseSent) {
                finishRequest(ctx);
            }
        }
    }

    private void dispatch(ChannelHandlerContext ctx) {
        awaiting = true;
        ByteBuf requestBody = body;
        body = null;
        CompletableFuture<ApiResponse> future;
        try {
            future = api.handle(match, requestBody);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((response, failure) -> {
            requestBody.release();
            ApiResponse answer = failure == null ? response : ErrorMapper.toResponse(failure, requestLine);
            if (ctx.executor().inEventLoop()) {
                respond(ctx, answer);
            } else {
                ctx.executor().execute(() -> respond(ctx, answer));
            }
        });
    }

    private void reject(ChannelHandlerContext ctx, ApiException e) {
        rejected = true;
        releaseBody();
        respond(ctx, ErrorMapper.of(e));
    }

    // ---- response --------------------------------------------------------------------------------------------

    private void respond(ChannelHandlerContext ctx, ApiResponse response) {
        if (!ctx.channel().isActive()) {
            awaiting = false;
            return;
        }
        awaiting = true;
        if (draining) {
            closeAfter = true;
        }
        boolean http10 = request != null && request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        FullHttpResponse res = HttpResponses.of(response, closeAfter, http10);
        if (log.isDebugEnabled()) {
            log.debug("request=\"{}\" status={} bytes={} micros={}", requestLine, response.status().code(),
                    response.body().length, (System.nanoTime() - startNanos) / 1000);
        }
        ctx.writeAndFlush(res).addListener((ChannelFuture f) -> afterWrite(ctx, f));
    }

    private void afterWrite(ChannelHandlerContext ctx, ChannelFuture write) {
        awaiting = false;
        responseSent = true;
        if (!write.isSuccess() || closeAfter) {
            ctx.close();
            return;
        }
        if (lastSeen) {
            finishRequest(ctx);
        }
        drain(ctx);
    }

    private void finishRequest(ChannelHandlerContext ctx) {
        if (request == null) {
            return;
        }
        request = null;
        match = null;
        rejected = false;
        lastSeen = false;
        responseSent = false;
        releaseBody();
        tracker.requestFinished();
        RequestDeadline deadline = ctx.pipeline().get(RequestDeadline.class);
        if (deadline != null) {
            deadline.reset();
        }
        if (draining) {
            ctx.close();
        }
    }

    // ---- connection events -----------------------------------------------------------------------------------

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (awaiting) {
                return; // Reads are paused while we work on the request: silence is ours, not the client's.
            }
            if (request == null || rejected) {
                ctx.close();
            } else {
                closeAfter = true;
                reject(ctx, new ApiException(ApiError.REQUEST_TIMEOUT, "the request body stalled: nothing arrived for "
                        + context.limits().idleTimeout().toSeconds() + "s"));
            }
        } else if (evt == RequestDeadline.EXPIRED) {
            if (request == null && !awaiting) {
                closeAfter = true;
                rejected = true;
                respond(ctx, ErrorMapper.of(ApiError.REQUEST_TIMEOUT, "the request line and headers did not arrive "
                        + "within " + context.limits().headerTimeout().toSeconds() + "s"));
            }
        } else if (evt == DRAIN) {
            draining = true;
            if (request == null && !awaiting) {
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (request != null) {
            request = null;
            tracker.requestFinished();
        }
        releaseBody();
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.poll());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection error remote={}", ctx.channel().remoteAddress(), cause);
        } else {
            log.warn("unexpected error on admin connection remote={} request=\"{}\"", ctx.channel().remoteAddress(),
                    requestLine, cause);
        }
        ctx.close();
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
