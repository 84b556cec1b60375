package dev.worker.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener on a loopback address that accepts, counts and closes every connection: where a test denies an
 * address, the proof that nothing connected to it.
 */
public final class ConnectionCounter implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger accepted = new AtomicInteger();

    private ConnectionCounter(ServerSocket socket) {
        this.socket = socket;
        Thread.ofVirtual().name("connection-counter").start(this::accept);
    }

    /** Listens on 127.0.0.{@code last}, a free port. */
    public static ConnectionCounter on127(int last) throws IOException {
        return new ConnectionCounter(new ServerSocket(0, 10, address(last)));
    }

    public static InetAddress address(int last) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }

    public int port() {
        return socket.getLocalPort();
    }

    public int accepted() {
        return accepted.get();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                socket.accept().close();
                accepted.incrementAndGet();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
