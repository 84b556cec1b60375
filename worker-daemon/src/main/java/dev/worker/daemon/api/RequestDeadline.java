package dev.worker.daemon.api;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Overall deadlines on receiving a request, which an idle timeout cannot give (every byte resets that): its line
 * and headers must arrive within the header timeout of its first byte, and an accepted body within the body
 * timeout of its headers. A refused request's body is read only to be dropped, so its header deadline keeps
 * running until the body ends. Sits before the HTTP decoder and sees raw bytes; {@link RequestGate} reports the
 * request's progress and receives {@link Expired} events. One channel only, on its event loop.
 */
final class RequestDeadline extends ChannelDuplexHandler {
    /** Fired down the pipeline when a deadline passed. */
    enum Expired {
        HEAD, BODY
    }

    private enum Phase {
        /** No request yet: the next byte starts the header deadline. */
        AWAITING,
        /** The header deadline runs (and keeps running through a refused request's body). */
        HEAD,
        /** The body deadline runs. */
        BODY,
        /** The request is in; its answer is the daemon's business. */
        OFF
    }

    private final long headNanos;
    private final long bodyNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.AWAITING;
    /** Bytes arrived while OFF: a pipelined request whose deadline starts when the current one is answered. */
    private boolean pending;
    private ScheduledFuture<?> timer;

    RequestDeadline(Duration headTimeout, Duration bodyTimeout) {
        this.headNanos = headTimeout.toNanos();
        this.bodyNanos = bodyTimeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.AWAITING) {
            arm(Phase.HEAD, headNanos, Expired.HEAD);
        } else if (phase == Phase.OFF) {
            pending = true;
        }
        ctx.fireChannelRead(msg);
    }

    /** The head was decoded: an accepted request's body now has the body timeout; a refused one's does not. */
    void headReceived(boolean accepted) {
        if (accepted) {
            arm(Phase.BODY, bodyNanos, Expired.BODY);
        } else if (phase != Phase.HEAD) {
            arm(Phase.HEAD, headNanos, Expired.HEAD);
        }
    }

    /** The whole request is in (and accepted): no deadline until it is answered. */
    void requestReceived() {
        cancel();
        phase = Phase.OFF;
    }

    /** The request is over (answered and read): the next request's first byte starts a new header deadline. */
    void reset() {
        cancel();
        phase = Phase.AWAITING;
        if (pending) {
            pending = false;
            arm(Phase.HEAD, headNanos, Expired.HEAD);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void arm(Phase next, long nanos, Expired event) {
        cancel();
        phase = next;
        timer = ctx.executor().schedule(() -> expire(event), nanos, TimeUnit.NANOSECONDS);
    }

    private void expire(Expired event) {
        timer = null;
        if (ctx.channel().isActive()) {
            ctx.fireUserEventTriggered(event);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
