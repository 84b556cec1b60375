package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's HTTP server on Netty. {@link #close()} stops accepting, lets requests in progress finish, then
 * closes.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final ChannelGroup channels;
    private final InFlight inFlight;
    private final ConnectionLimit connections;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel, ChannelGroup channels,
            InFlight inFlight, ConnectionLimit connections) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
        this.channels = channels;
        this.inFlight = inFlight;
        this.connections = connections;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException naming the address when it cannot be bound (in use, not local, no permission)
     */
    public static AdminServer start(InetSocketAddress address, AdminContext context) throws IOException {
        requireNonNull(address, "address");
        requireNonNull(context, "context");
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("admin-accept", true),
                NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
                Math.min(4, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("admin-io", true), NioIoHandler.newFactory());
        ChannelGroup channels = new DefaultChannelGroup("admin", GlobalEventExecutor.INSTANCE);
        InFlight inFlight = new InFlight();
        ConnectionLimit connections = new ConnectionLimit(context.limits().maxConnections());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(connections)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new AdminChannelInitializer(context, inFlight, channels));
        try {
            Channel channel = bootstrap.bind(address).sync().channel();
            return new AdminServer(boss, workers, channel, channels, inFlight, connections);
        } catch (Exception e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String where = address.getHostString() + ":" + address.getPort();
            if (e instanceof BindException) {
                throw new IOException("cannot listen on " + where + ": " + e.getMessage()
                        + " (is another worker or program using the port?)", e);
            }
            throw new IOException("cannot listen on " + where + ": " + e, e);
        }
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Connections open now, refused ones that are still closing included. */
    public int openConnections() {
        return connections.open();
    }

    /** Requests received and not yet answered. */
    public int requestsInFlight() {
        return inFlight.count();
    }

    /**
     * Stops accepting connections, closes idle ones, waits up to 10 s for requests in progress to be answered,
     * then closes the rest. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        for (Channel ch : channels) {
            ch.pipeline().fireUserEventTriggered(RequestGate.DRAIN);
        }
        try {
            if (!inFlight.awaitZero(DRAIN_TIMEOUT)) {
                log.warn("admin requests still in progress after {}s; closing their connections count={}",
                        DRAIN_TIMEOUT.toSeconds(), inFlight.count());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Counts requests in progress; {@link #awaitZero} waits for the count to reach zero. */
    static final class InFlight implements ConnectionTracker {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition zero = lock.newCondition();
        private int count;

        @Override
        public void requestStarted() {
            lock.lock();
            try {
                count++;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void requestFinished() {
            lock.lock();
            try {
                count--;
                if (count <= 0) {
                    zero.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        int count() {
            lock.lock();
            try {
                return count;
            } finally {
                lock.unlock();
            }
        }

        boolean awaitZero(Duration timeout) throws InterruptedException {
            long nanos = timeout.toNanos();
            lock.lock();
            try {
                while (count > 0) {
                    if (nanos <= 0) {
                        return false;
                    }
                    nanos = zero.awaitNanos(nanos);
                }
                return true;
            } finally {
                lock.unlock();
            }
        }
    }
}
