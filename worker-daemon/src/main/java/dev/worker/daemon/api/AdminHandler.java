package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the admin pipeline: a whole request that passed {@link RequestGate} goes to {@link AdminApi}, and its
 * answer is written when the future completes, on this channel's event loop (an intent is answered once the journal
 * made it durable; the event loop never waits for it). Failures become error answers in {@link ErrorMapper}.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

    private final AdminApi api;
    private final RequestObserver observer;

    AdminHandler(AdminContext context) {
        super(false); // The body is released when the answer's future completes, not when this method returns.
        this.api = new AdminApi(requireNonNull(context, "context"));
        this.observer = context.observer();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long start = System.nanoTime();
        String requestLine = request.method() + " " + ApiJson.abbreviate(request.uri());
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0) && HttpUtil.isKeepAlive(request);
        Router.Match match = ctx.channel().attr(RequestGate.MATCH).get();
        CompletableFuture<ApiResponse> future;
        try {
            future = api.handle(requireNonNull(match, "the gate handed on no route"), request.content(),
                    client(ctx.channel().remoteAddress()));
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((response, failure) -> {
            request.release();
            ApiResponse answer = failure == null ? response : ErrorMapper.toResponse(failure, requestLine);
            Route route = match == null ? null : match.route();
            if (ctx.executor().inEventLoop()) {
                respond(ctx, answer, http10, requestLine, start, route);
            } else {
                ctx.executor().execute(() -> respond(ctx, answer, http10, requestLine, start, route));
            }
        });
    }

    private void respond(ChannelHandlerContext ctx, ApiResponse answer, boolean http10, String requestLine,
            long start, Route route) {
        long nanos = System.nanoTime() - start;
        if (log.isDebugEnabled()) {
            log.debug("request=\"{}\" status={} bytes={} micros={}", requestLine, answer.status().code(),
                    answer.body().length, nanos / 1000);
        }
        if (route != null) {
            observer.answered(route, answer.status().code(), nanos);
        }
        ctx.writeAndFlush(HttpResponses.of(answer, false, http10));
    }

    /** The client's address as leases count it: the IP address, or the transport's name for others. */
    static String client(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(remote);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            log.debug("connection error remote={}", ctx.channel().remoteAddress(), cause);
        } else {
            log.warn("unexpected error on admin connection remote={}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
