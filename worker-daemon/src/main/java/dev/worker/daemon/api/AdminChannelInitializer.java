package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's pipeline: idle timeout, header deadline, HTTP codec with size limits, then {@link AdminHandler}.
 * Connections that {@link ConnectionLimit} refused are closed at once.
 */
public final class AdminChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger log = LoggerFactory.getLogger(AdminChannelInitializer.class);
    /** Decoded body pieces; larger than Netty's 8 KiB default so a 64 MiB body is ~1000 pieces. */
    static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final AdminContext context;
    private final ConnectionTracker tracker;
    private final ChannelGroup channels;

    /** @param channels where open connections are kept, so that shutdown can reach them */
    public AdminChannelInitializer(AdminContext context, ConnectionTracker tracker, ChannelGroup channels) {
        this.context = requireNonNull(context, "context");
        this.tracker = requireNonNull(tracker, "tracker");
        this.channels = requireNonNull(channels, "channels");
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channels.add(ch);
        Integer refusedAt = ch.attr(ConnectionLimit.REFUSED_AT).get();
        if (refusedAt != null) {
            log.warn("too many admin connections; closing a new one open={} max={} remote={}", refusedAt,
                    context.limits().maxConnections(), ch.remoteAddress());
            ch.close();
            return;
        }
        configure(ch.pipeline(), context, tracker);
    }

    /** Adds the admin handlers to a pipeline (also used by tests on an embedded channel). */
    public static void configure(ChannelPipeline p, AdminContext context, ConnectionTracker tracker) {
        ApiLimits limits = context.limits();
        p.addLast("idle", new IdleStateHandler(limits.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("deadline", new RequestDeadline(limits.headerTimeout()));
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineLength())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK_SIZE)));
        p.addLast("admin", new AdminHandler(context, tracker));
    }
}
