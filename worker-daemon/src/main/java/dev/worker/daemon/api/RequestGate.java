package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request's way through one connection. Its head passes {@link HeadCheck} before any of its body is buffered. A
 * refused request is answered at once with the error; the rest of its body is read and dropped (only until the
 * header deadline), so the connection stays usable, except where reading it would serve nobody (a body on a route
 * that takes none, a refused {@code 100-continue}, broken framing): then the connection closes after the answer.
 * An accepted request goes on to the aggregator with its {@link Router.Match} in {@link #MATCH}; its body counts
 * against the route's limit and the daemon's {@link BodyBudget} as it arrives.
 *
 * <p>It also owns the request's life: the in-flight count, the deadlines, pausing reads while an accepted request is
 * answered (the {@code FlowControlHandler} before it holds pipelined requests meanwhile, so answers go out in order),
 * idle and drain closes. It sees the answers of later handlers on their way out.
 */
final class RequestGate extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(RequestGate.class);

    /** The route of the request being handed on; read by {@link AdminHandler}. */
    static final AttributeKey<Router.Match> MATCH = AttributeKey.valueOf("worker.match");

    /** Fired by the server on shutdown: finish the request in progress, then close. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "RequestGate.DRAIN";
        }
    };

    private enum Phase {
        /** Between requests. */
        IDLE,
        /** Accepted: the body is being handed on. */
        RECEIVING,
        /** Refused and answered: the rest of the body is dropped. */
        DROPPING,
        /** Accepted and all in: reads pause until the answer is written. */
        ANSWERING
    }

    private final AdminContext context;
    private final ConnectionTracker tracker;
    private final RequestDeadline deadline;
    private final HeadCheck check;

    // On the event loop only. INVARIANT: phase != IDLE exactly between tracker.requestStarted() and
    // requestFinished() of the current request; `reserved` body bytes are the current request's and go back to
    // the budget when it ends or the connection closes. Once `closing`, nothing more is read or answered.
    private Phase phase = Phase.IDLE;
    private boolean closing;
    private String requestLine = "-";
    private boolean http10;
    private Route route;
    private long limit;
    private long received;
    private long reserved;
    private boolean draining;

    RequestGate(AdminContext context, ConnectionTracker tracker, RequestDeadline deadline) {
        this.context = requireNonNull(context, "context");
        this.tracker = requireNonNull(tracker, "tracker");
        this.deadline = requireNonNull(deadline, "deadline");
        this.check = new HeadCheck(context);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg); // Decoded before the close took effect: no request is served after it.
            return;
        }
        if (msg instanceof HttpRequest head) {
            onHead(ctx, head);
        }
        if (msg instanceof HttpContent content) {
            onContent(ctx, content);
        } else if (!(msg instanceof HttpRequest)) {
            ctx.fireChannelRead(msg);
        }
    }

    // ---- request head ----------------------------------------------------------------------------------------

    private void onHead(ChannelHandlerContext ctx, HttpRequest head) {
        if (phase != Phase.IDLE) {
            // The decoder emits a head only after the previous request's last content; flow control holds it
            // while one is answered. Anything else is a bug in this pipeline.
            throw new IllegalStateException("request head while " + phase + ": " + requestLine);
        }
        tracker.requestStarted();
        requestLine = head.method() + " " + ApiJson.abbreviate(head.uri());
        http10 = head.protocolVersion().equals(HttpVersion.HTTP_1_0);
        received = 0;
        switch (check.check(head)) {
            case HeadCheck.Verdict.Accept a -> {
                route = a.match().route();
                limit = context.limits().bodyLimit(route);
                ctx.channel().attr(MATCH).set(a.match());
                phase = Phase.RECEIVING;
                deadline.headReceived(true);
                ctx.fireChannelRead(head);
            }
            case HeadCheck.Verdict.Refuse r -> {
                deadline.headReceived(false);
                refuse(ctx, r.error(), r.close());
            }
        }
    }

    // ---- request body ----------------------------------------------------------------------------------------

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (phase == Phase.RECEIVING) {
            ApiException problem = bodyProblem(content);
            if (problem == null) {
                boolean last = content instanceof LastHttpContent;
                if (last) {
                    deadline.requestReceived();
                    phase = Phase.ANSWERING;
                    // Held in the flow control handler until the answer is written: answers go out in order.
                    ctx.channel().config().setAutoRead(false);
                }
                ctx.fireChannelRead(content);
                return;
            }
            refuse(ctx, problem, true);
        }
        ReferenceCountUtil.release(content);
        if (phase == Phase.DROPPING) {
            if (content.decoderResult().isFailure()) {
                close(ctx); // The framing is broken: the end of this body cannot be found.
            } else if (content instanceof LastHttpContent) {
                finish(ctx);
            }
        }
    }

    /** What is wrong with this piece of an accepted body, or null; reserves its bytes when it is fine. */
    private ApiException bodyProblem(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            return ErrorMapper.decoderFailure(content.decoderResult().cause());
        }
        long bytes = content.content().readableBytes();
        if (received + bytes > limit) {
            // A body without a declared length ran past the limit: we cannot tell how much more is coming.
            return HeadCheck.tooLarge(route, "", limit);
        }
        if (!context.bodyBudget().tryReserve(bytes)) {
            log.warn("request bodies in memory at their limit; refusing one request=\"{}\" heldBytes={} maxBytes={}",
                    requestLine, context.bodyBudget().held(), context.bodyBudget().max());
            return new ApiException(ApiError.UNAVAILABLE, "the daemon holds " + context.bodyBudget().max()
                    + " bytes of request bodies, its limit; retry shortly");
        }
        received += bytes;
        reserved += bytes;
        return null;
    }

    // ---- answers ---------------------------------------------------------------------------------------------

    private void refuse(ChannelHandlerContext ctx, ApiException e, boolean close) {
        phase = Phase.DROPPING;
        ctx.channel().attr(MATCH).set(null);
        answer(ctx, ErrorMapper.of(e), close);
    }

    /** Writes an answer of this handler's own (the answers of later handlers pass through {@link #write}). */
    private void answer(ChannelHandlerContext ctx, ApiResponse response, boolean close) {
        log.debug("request=\"{}\" status={} refused", requestLine, response.status().code());
        // Written with Connection: close, the keep-alive handler closes the connection once the answer is out.
        closing = close || draining;
        FullHttpResponse res = HttpResponses.of(response, closing, http10);
        ctx.writeAndFlush(res).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                close(ctx);
            } else if (!HttpUtil.isKeepAlive(res)) {
                closing = true; // The keep-alive handler closes it (the request asked to, or was HTTP/1.0).
            }
        });
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            if (draining) {
                HttpUtil.setKeepAlive(response, false);
            }
            if (phase == Phase.ANSWERING) {
                promise.addListener((ChannelFuture f) -> answered(ctx, f, response));
            }
        }
        ctx.write(msg, promise);
    }

    private void answered(ChannelHandlerContext ctx, ChannelFuture write, HttpResponse response) {
        if (!write.isSuccess()) {
            close(ctx);
            return;
        }
        // The keep-alive handler marked the answer on its way (a request that asked to close, HTTP/1.0) and closes
        // the connection now: requests pipelined behind it are not read.
        closing = !HttpUtil.isKeepAlive(response);
        finish(ctx);
        if (!closing && ctx.channel().isActive()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** The current request is over: answered, and its body read. */
    private void finish(ChannelHandlerContext ctx) {
        if (phase == Phase.IDLE) {
            return;
        }
        end(ctx);
        deadline.reset();
        if (draining) {
            close(ctx);
        }
    }

    private void close(ChannelHandlerContext ctx) {
        closing = true;
        ctx.close();
    }

    private void end(ChannelHandlerContext ctx) {
        phase = Phase.IDLE;
        ctx.channel().attr(MATCH).set(null);
        if (reserved > 0) {
            context.bodyBudget().release(reserved);
            reserved = 0;
        }
        tracker.requestFinished();
    }

    // ---- connection events -----------------------------------------------------------------------------------

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (closing && (evt instanceof IdleStateEvent || evt instanceof RequestDeadline.Expired || evt == DRAIN)) {
            return;
        }
        if (evt instanceof IdleStateEvent) {
            if (phase == Phase.IDLE) {
                close(ctx); // Deadlines bound a request in progress; this bounds the silence between requests.
            }
        } else if (evt == RequestDeadline.Expired.HEAD) {
            if (phase == Phase.IDLE) {
                http10 = false;
                answer(ctx, ErrorMapper.of(ApiError.REQUEST_TIMEOUT, "the request line and headers did not arrive "
                        + "within " + context.limits().headerTimeout().toSeconds() + "s"), true);
            } else if (phase == Phase.DROPPING) {
                close(ctx); // Answered already; the refused body dribbles on.
            }
        } else if (evt == RequestDeadline.Expired.BODY) {
            if (phase == Phase.RECEIVING) {
                refuse(ctx, new ApiException(ApiError.REQUEST_TIMEOUT, "the request body did not arrive within "
                        + context.limits().bodyTimeout().toSeconds() + "s of its headers"), true);
            }
        } else if (evt == DRAIN) {
            draining = true;
            if (phase == Phase.IDLE || phase == Phase.DROPPING) {
                close(ctx);
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (phase != Phase.IDLE) {
            end(ctx);
        }
        ctx.fireChannelInactive();
    }
}
