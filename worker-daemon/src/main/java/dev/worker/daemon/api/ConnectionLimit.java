package dev.worker.daemon.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits accepted connections in accept order, on the accept loop: the first {@code max} open ones are admitted and
 * every later one is marked refused until an admitted one closes. Deciding here rather than in each child's
 * initializer matters because children initialise on different I/O loops, in no fixed order.
 *
 * <p>Invariant: {@code open} counts accepted channels whose close future has not completed, refused ones included
 * (they close at once).
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    static final AttributeKey<Integer> REFUSED_AT = AttributeKey.valueOf("worker.refusedAt");

    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionLimit(int max) {
        this.max = max;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child) {
            int now = open.incrementAndGet();
            child.closeFuture().addListener(f -> open.decrementAndGet());
            if (now > max) {
                child.attr(REFUSED_AT).set(now);
            }
        }
        ctx.fireChannelRead(msg);
    }

    int open() {
        return open.get();
    }
}
