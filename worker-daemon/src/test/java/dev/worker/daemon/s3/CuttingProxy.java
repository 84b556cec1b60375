package dev.worker.daemon.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on 127.0.0.1 in front of a store: counts the bytes it passes back to the client, records the head of
 * every request (plain HTTP), and cuts one answer mid-body: the first connection whose answer passes
 * {@code cutAfter} bytes is closed there (the body cut short), after {@code onCut} ran (so the test can rotate
 * credentials or switch the upstream before the client can notice and retry).
 */
public final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicReference<InetSocketAddress> upstream;
    private final long cutAfter;
    private final Runnable onCut;
    private final AtomicBoolean cut = new AtomicBoolean();
    private final AtomicLong bytesToClient = new AtomicLong();
    private final List<String> requestHeads = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    public CuttingProxy(int upstreamPort, long cutAfter, Runnable onCut) throws IOException {
        this.upstream = new AtomicReference<>(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
        this.cutAfter = cutAfter;
        this.onCut = onCut;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("cutting-proxy-accept").start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    public void upstream(int port) {
        upstream.set(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    public long bytesToClient() {
        return bytesToClient.get();
    }

    public boolean hasCut() {
        return cut.get();
    }

    /** The request heads seen so far (request line and headers, as sent). */
    public List<String> requestHeads() {
        return List.copyOf(requestHeads);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket store = new Socket(upstream.get().getAddress(), upstream.get().getPort());
                sockets.add(client);
                sockets.add(store);
                AtomicLong answered = new AtomicLong();
                Thread.ofVirtual().start(() -> pipe(client, store, null));
                Thread.ofVirtual().start(() -> pipe(store, client, answered));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Copies {@code from} to {@code to}; {@code answered} counts an answer (store to client), else heads are read. */
    private void pipe(Socket from, Socket to, AtomicLong answered) {
        byte[] buffer = new byte[16 * 1024];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (answered == null) {
                    recordHeads(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    out.write(buffer, 0, n);
                    continue;
                }
                long before = answered.getAndAdd(n);
                if (before + n > cutAfter && cut.compareAndSet(false, true)) {
                    int keep = (int) Math.max(0, cutAfter - before);
                    out.write(buffer, 0, keep);
                    bytesToClient.addAndGet(keep);
                    out.flush();
                    onCut.run();
                    // A plain close (FIN), not a reset: the client reads every byte sent before it, so the bytes
                    // on the wire are the bytes the worker got.
                    return;
                }
                out.write(buffer, 0, n);
                bytesToClient.addAndGet(n);
            }
        } catch (IOException e) {
            // One side went away: closing both (try-with-resources) ends the other pipe too.
        }
    }

    private void recordHeads(String data) {
        for (String part : data.split("\r\n\r\n")) {
            if (part.startsWith("GET ") || part.startsWith("PUT ") || part.startsWith("HEAD ")) {
                requestHeads.add(part);
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
