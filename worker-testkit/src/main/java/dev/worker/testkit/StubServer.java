package dev.worker.testkit;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.Executors;

/**
 * A scripted HTTP server on 127.0.0.1 and a free port (the JDK's server, a virtual thread per exchange): the test's
 * handler answers every request, e.g. to play a daemon that misbehaves. For files with faults, see
 * {@link FileServer}.
 */
public final class StubServer implements AutoCloseable {
    private final HttpServer server;

    private StubServer(HttpServer server) {
        this.server = server;
    }

    public static StubServer start(HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", handler);
        server.start();
        return new StubServer(server);
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
