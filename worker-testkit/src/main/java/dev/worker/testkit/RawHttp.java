package dev.worker.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 on a plain socket, byte for byte as given, for what the JDK client hides or refuses: broken requests,
 * connection reuse, timing, early EOF. A connection ({@link #open}) sends requests and reads responses step by step;
 * {@link #exchange} sends one request and reads one response (skipping {@code 100 Continue}) and whether the server
 * then closes the connection.
 */
public final class RawHttp implements AutoCloseable {
    private static final int MAX_RESPONSE = 4 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;

    private RawHttp(Socket socket, String host) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
        this.host = host;
    }

    /** A connection to {@code base}'s host and port; reads wait at most 20 s. */
    public static RawHttp open(URI base) throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(20_000);
        return new RawHttp(socket, base.getHost() + ":" + base.getPort());
    }

    /** A response head: status and headers (names in lower case). */
    public record Head(int status, Map<String, String> headers) {
        public long contentLength() {
            return Long.parseLong(headers.get("content-length"));
        }
    }

    /** Sends a request with the given extra header lines (e.g. {@code "Range: bytes=0-1"}). */
    public RawHttp send(String method, String path, String... headers) throws IOException {
        return sendRaw(request(method, path, headers));
    }

    /** Sends raw text, e.g. several requests at once. */
    public RawHttp sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return this;
    }

    /** The text of a request with a {@code Host} header and the given extra header lines. */
    public String request(String method, String path, String... headers) {
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append("\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    public Head readHead() throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("connection closed before a response");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            header(line, headers);
        }
        return new Head(Integer.parseInt(status.split(" ", 3)[1]), headers);
    }

    /** Reads exactly {@code n} body bytes. */
    public byte[] readBody(long n) throws IOException {
        byte[] body = in.readNBytes(Math.toIntExact(n));
        if (body.length != n) {
            throw new IOException("body ended after " + body.length + " of " + n + " bytes");
        }
        return body;
    }

    public InputStream input() {
        return in;
    }

    /** Whether the server has closed the connection (reads EOF within the read timeout). */
    public boolean closedByServer() throws IOException {
        return in.read() == -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** How the request bytes of an {@link #exchange} go out. */
    public record Sending(int chunkBytes, Duration pause) {
        public static final Sending AT_ONCE = new Sending(Integer.MAX_VALUE, Duration.ZERO);

        public boolean dribbles() {
            return chunkBytes != Integer.MAX_VALUE;
        }
    }

    /**
     * What came back from an {@link #exchange}.
     *
     * @param status      the response's status, or -1 when none came
     * @param closed      the server closed the connection (after the response, or instead of one)
     * @param timedOut    nothing (more) came within the wait
     * @param sendFailed  the server stopped reading before the whole request was sent (a reset or a close)
     * @param millis      from the first byte sent to the end of the response (or of the wait)
     */
    public record Answer(int status, Map<String, String> headers, String body, boolean closed, boolean timedOut,
            boolean sendFailed, long millis) {
        public String errorCode() {
            int at = body.indexOf("\"code\":\"");
            if (at < 0) {
                return "";
            }
            int end = body.indexOf('"', at + 8);
            return end < 0 ? "" : body.substring(at + 8, end);
        }

        @Override
        public String toString() {
            return (status < 0 ? "no response" : "HTTP " + status + " " + errorCode())
                    + (closed ? " (closed)" : "") + (timedOut ? " (timed out)" : "") + (sendFailed ? " (send cut)" : "")
                    + " after " + millis + " ms";
        }
    }

    /** Sends {@code request} on a new connection as {@code sending} says, then reads one response. */
    public static Answer exchange(InetSocketAddress address, byte[] request, Sending sending, Duration wait)
            throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(address, 2_000);
            boolean sendFailed = false;
            OutputStream out = socket.getOutputStream();
            try {
                if (!sending.dribbles()) {
                    out.write(request);
                    out.flush();
                } else {
                    for (int i = 0; i < request.length; i += sending.chunkBytes()) {
                        out.write(request, i, Math.min(sending.chunkBytes(), request.length - i));
                        out.flush();
                        Thread.sleep(sending.pause());
                    }
                }
            } catch (IOException e) {
                sendFailed = true; // the server answered early and closed, or reset: read what it said
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            boolean head = request.length >= 5 && new String(request, 0, 5, StandardCharsets.US_ASCII).equals("HEAD ");
            return read(socket, wait, start, sendFailed, head);
        }
    }

    private static Answer read(Socket socket, Duration wait, long start, boolean sendFailed, boolean head)
            throws IOException {
        InputStream in = socket.getInputStream();
        long deadline = System.nanoTime() + wait.toNanos();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (true) {
            Parsed parsed = parse(buffer.toByteArray(), head);
            if (parsed != null && parsed.status != 100) {
                // The daemon says Connection: close when it will close; waiting to see it would cost every case.
                boolean closed = "close".equalsIgnoreCase(parsed.headers.getOrDefault("connection", ""));
                return new Answer(parsed.status, parsed.headers, parsed.body, closed, false, sendFailed,
                        millisSince(start));
            }
            if (parsed != null) {
                // 100 Continue: drop it and read on.
                byte[] all = buffer.toByteArray();
                buffer.reset();
                buffer.write(all, parsed.length, all.length - parsed.length);
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new Answer(-1, Map.of(), "", false, true, sendFailed, millisSince(start));
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                return new Answer(-1, Map.of(), "", false, true, sendFailed, millisSince(start));
            } catch (IOException e) {
                n = -1; // reset
            }
            if (n < 0) {
                return new Answer(-1, Map.of(), "", true, false, sendFailed, millisSince(start));
            }
            buffer.write(chunk, 0, n);
            if (buffer.size() > MAX_RESPONSE) {
                throw new IOException("response larger than " + MAX_RESPONSE + " bytes");
            }
        }
    }

    private record Parsed(int status, Map<String, String> headers, String body, int length) {
    }

    /** A complete response at the start of {@code bytes}, or null. */
    private static Parsed parse(byte[] bytes, boolean head) {
        int end = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (end < 0) {
            return null;
        }
        String text = new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2) {
            return new Parsed(0, Map.of(), text, bytes.length);
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            status = 0;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            header(lines[i], headers);
        }
        int bodyStart = end + 4;
        int length = 0;
        if (!head && status != 100 && status != 204 && status != 304) {
            try {
                length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            } catch (NumberFormatException e) {
                length = 0;
            }
        }
        if (bytes.length < bodyStart + length) {
            return null;
        }
        return new Parsed(status, headers, new String(bytes, bodyStart, length, StandardCharsets.UTF_8),
                bodyStart + length);
    }

    /** Adds {@code Name: value} to {@code headers} under the lower-case name; ignores a line without a colon. */
    static void header(String line, Map<String, String> headers) {
        int colon = line.indexOf(':');
        if (colon > 0) {
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
    }

    /** One line without its CR LF; null at the end of the stream. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
