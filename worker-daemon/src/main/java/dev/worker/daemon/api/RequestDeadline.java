package dev.worker.daemon.api;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the time from a request's first byte to the end of its headers, so a client that trickles its headers
 * (slowloris) is answered 408 and disconnected instead of holding the connection open. Sits before the HTTP
 * decoder and sees raw bytes; {@link AdminHandler} tells it when a head was decoded and when the next request may
 * begin. Must be used by one channel only.
 */
final class RequestDeadline extends ChannelDuplexHandler {
    /** Fired down the pipeline when a request's headers did not arrive in time. */
    static final Object EXPIRED = new Object() {
        @Override
        public String toString() {
            return "RequestDeadline.EXPIRED";
        }
    };

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private boolean headReceived;
    private ScheduledFuture<?> deadline;

    RequestDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!headReceived && deadline == null) {
            deadline = ctx.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** The current request's head was decoded: its deadline no longer applies. */
    void headReceived() {
        headReceived = true;
        cancel();
    }

    /** The current request is answered: the next request's first byte starts a new deadline. */
    void reset() {
        headReceived = false;
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void expire() {
        deadline = null;
        if (!headReceived && ctx.channel().isActive()) {
            ctx.fireUserEventTriggered(EXPIRED);
        }
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
