package dev.worker.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A small HTTP/1.1 file server for tests, on 127.0.0.1 and a free port, one virtual thread per connection, with
 * byte-exact faults: each request to a path takes the next queued {@link Fault} (or the path's standing one). It
 * supports keep-alive, HEAD, {@code Range: bytes=N-} with {@code If-Range}, ETag and Last-Modified, answers 404 for
 * paths it does not serve, can hold every request until released, and records every request, the requests in flight
 * at once and the connections the client closed while the server was answering.
 */
public final class FileServer implements AutoCloseable {
    /** What the server does to one request. */
    public sealed interface Fault {
    }

    /** Answers with this status, these headers and an empty body. */
    public record Status(int code, Map<String, String> headers) implements Fault {
    }

    /**
     * Sends the headers and {@code bytes} body bytes, waits (at most 5 s) until {@code when} holds, then resets the
     * connection (RST). An RST can make the client drop bytes it has not read yet, so tests that count on them
     * wait until the client has them.
     */
    public record ResetAfter(long bytes, BooleanSupplier when) implements Fault {
        public ResetAfter(long bytes) {
            this(bytes, () -> true);
        }
    }

    /** Sends the headers and {@code bytes} body bytes, then closes the connection normally (FIN). */
    public record TruncateAfter(long bytes) implements Fault {
    }

    /** Sends the headers and {@code bytes} body bytes, then waits until the client gives up. */
    public record StallAfter(long bytes) implements Fault {
    }

    /** Sends nothing at all and waits until the client gives up. */
    public record StallBeforeHeaders() implements Fault {
    }

    /** Answers 200 with the whole file, whatever the Range header says. */
    public record IgnoreRange() implements Fault {
    }

    /** Serves the file with its last byte changed. */
    public record Corrupt() implements Fault {
    }

    /** Waits, then serves normally. */
    public record Delay(Duration delay) implements Fault {
    }

    /** Waits (at most 5 s) until {@code condition} holds, then applies {@code then}. */
    public record After(BooleanSupplier condition, Fault then) implements Fault {
    }

    /** Serves normally, {@code chunk} bytes at a time with a pause after each. */
    public record Throttle(int chunk, Duration pause) implements Fault {
    }

    /** One request as received; header names in lower case. */
    public record Request(String method, String path, Map<String, String> headers) {
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    /** A file being served; mutable so that tests can change it between requests. */
    public static final class ServedFile {
        private volatile byte[] content;
        private volatile String etag;
        private volatile String lastModified = "Wed, 21 Oct 2015 07:28:00 GMT";
        private volatile boolean chunked;
        private volatile Fault standing;
        private final Queue<Fault> queued = new ConcurrentLinkedQueue<>();
        private final String url;

        private ServedFile(String url, byte[] content) {
            this.url = url;
            content(content);
        }

        public ServedFile content(byte[] value) {
            content = value.clone();
            etag = "\"v" + Integer.toHexString(java.util.Arrays.hashCode(content)) + "\"";
            return this;
        }

        public String etagValue() {
            return etag;
        }

        public String url() {
            return url;
        }

        public ServedFile etag(String value) {
            etag = value;
            return this;
        }

        public ServedFile lastModified(String value) {
            lastModified = value;
            return this;
        }

        /** Sends the body with chunked transfer encoding, without Content-Length. */
        public ServedFile chunked() {
            chunked = true;
            return this;
        }

        /** The fault for every request that finds no queued one. */
        public ServedFile always(Fault fault) {
            standing = fault;
            return this;
        }

        /** Faults for the next requests, one each, in order. */
        public ServedFile then(Fault... faults) {
            queued.addAll(List.of(faults));
            return this;
        }
    }

    private final ServerSocket server;
    private final Map<String, ServedFile> files = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger clientClosures = new AtomicInteger();
    private final AtomicLong bodyBytesSent = new AtomicLong();
    private final ReentrantLock holdLock = new ReentrantLock();
    private final Condition released = holdLock.newCondition();
    // INVARIANT: while holding, every request waits (without an answer) until release(); guarded by holdLock.
    private boolean holding;
    private volatile boolean closed;

    private FileServer() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("test-server-accept").start(this::acceptLoop);
    }

    public static FileServer start() throws IOException {
        return new FileServer();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    public ServedFile serve(String path, byte[] content) {
        ServedFile file = new ServedFile(url(path), content);
        files.put(path, file);
        return file;
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Connections the client closed or reset while the server was sending or waiting to send. */
    public int clientClosures() {
        return clientClosures.get();
    }

    public long bodyBytesSent() {
        return bodyBytesSent.get();
    }

    /** From now on, requests wait (without an answer, at most 60 s) until {@link #release()}. */
    public void hold() {
        holdLock.lock();
        try {
            holding = true;
        } finally {
            holdLock.unlock();
        }
    }

    /** Lets held requests and new ones through. */
    public void release() {
        holdLock.lock();
        try {
            holding = false;
            released.signalAll();
        } finally {
            holdLock.unlock();
        }
    }

    private void awaitRelease() throws InterruptedException {
        holdLock.lock();
        try {
            long left = TimeUnit.SECONDS.toNanos(60);
            while (holding && left > 0) {
                left = released.awaitNanos(left);
            }
        } finally {
            holdLock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        release();
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread.ofVirtual().name("test-server-conn").start(() -> serveConnection(socket));
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException("test server accept failed", e);
                }
            }
        }
    }

    private void serveConnection(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                Request request = readRequest(in);
                if (request == null) {
                    return;
                }
                requests.add(request);
                awaitRelease();
                int now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
                try {
                    if (!respond(request, socket, in, out)) {
                        return;
                    }
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        } catch (IOException e) {
            if (!closed) {
                clientClosures.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sockets.remove(socket);
        }
    }

    /** Answers one request; false when the connection is finished. */
    private boolean respond(Request request, Socket socket, InputStream in, OutputStream out)
            throws IOException, InterruptedException {
        ServedFile file = files.get(request.path());
        if (file == null) {
            writeHead(out, 404, Map.of("Content-Length", "0"));
            return true;
        }
        Fault fault = Optional.ofNullable(file.queued.poll()).orElse(file.standing);
        if (fault instanceof After after) {
            Await.poll(after.condition(), Duration.ofSeconds(5));
            fault = after.then();
        }
        if (fault instanceof Status status) {
            Map<String, String> headers = new TreeMap<>(status.headers());
            headers.put("Content-Length", "0");
            writeHead(out, status.code(), headers);
            return true;
        }
        if (fault instanceof StallBeforeHeaders) {
            waitForClientClose(in);
            return false;
        }
        if (fault instanceof Delay delay) {
            Thread.sleep(delay.delay());
        }
        byte[] content = file.content;
        if (fault instanceof Corrupt && content.length > 0) {
            content = content.clone();
            content[content.length - 1] ^= 0x5A;
        }
        long start = 0;
        int status = 200;
        Map<String, String> headers = new TreeMap<>();
        Optional<String> range = request.header("Range");
        boolean rangeValid = range.isPresent() && !(fault instanceof IgnoreRange)
                && request.header("If-Range").map(v -> v.equals(file.etag) || v.equals(file.lastModified)).orElse(true);
        if (rangeValid) {
            start = Long.parseLong(range.get().replaceFirst("bytes=(\\d+)-", "$1"));
            if (start >= content.length) {
                writeHead(out, 416, Map.of("Content-Range", "bytes */" + content.length, "Content-Length", "0"));
                return true;
            }
            status = 206;
            headers.put("Content-Range", "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
        }
        if (file.etag != null) {
            headers.put("ETag", file.etag);
        }
        if (file.lastModified != null) {
            headers.put("Last-Modified", file.lastModified);
        }
        boolean chunked = file.chunked;
        if (chunked) {
            headers.put("Transfer-Encoding", "chunked");
        } else {
            headers.put("Content-Length", Long.toString(content.length - start));
        }
        writeHead(out, status, headers);
        if (request.method().equals("HEAD")) {
            return true;
        }
        long limit = content.length - start;
        if (fault instanceof ResetAfter f) {
            limit = Math.min(limit, f.bytes());
        } else if (fault instanceof TruncateAfter f) {
            limit = Math.min(limit, f.bytes());
        } else if (fault instanceof StallAfter f) {
            limit = Math.min(limit, f.bytes());
        }
        int chunk = fault instanceof Throttle t ? t.chunk() : 64 * 1024;
        long sent = 0;
        while (sent < limit) {
            int n = (int) Math.min(chunk, limit - sent);
            if (chunked) {
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.write(content, (int) (start + sent), n);
            if (chunked) {
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            sent += n;
            bodyBytesSent.addAndGet(n);
            if (fault instanceof Throttle t) {
                out.flush();
                Thread.sleep(t.pause());
            }
        }
        out.flush();
        switch (fault) {
            case ResetAfter f -> {
                Await.poll(f.when(), Duration.ofSeconds(5));
                socket.setSoLinger(true, 0);
                return false;
            }
            case TruncateAfter f -> {
                return false;
            }
            case StallAfter f -> {
                waitForClientClose(in);
                return false;
            }
            case null, default -> {
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                return true;
            }
        }
    }

    private void waitForClientClose(InputStream in) throws IOException {
        if (in.read() < 0 && !closed) {
            clientClosures.incrementAndGet();
        }
    }

    private static void writeHead(OutputStream out, int status, Map<String, String> headers) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                .append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 404 -> "Not Found";
            case 416 -> "Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    private static Request readRequest(InputStream in) throws IOException {
        String requestLine = RawHttp.line(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = new TreeMap<>();
        String line;
        while ((line = RawHttp.line(in)) != null && !line.isEmpty()) {
            RawHttp.header(line, headers);
        }
        return new Request(parts[0], parts[1], headers);
    }

    /** Every request so far, in arrival order. */
    public List<Request> requests() {
        return new ArrayList<>(requests);
    }
}
