package dev.worker.reliability.badinput;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as given, so requests can be as broken as a client can make them.
 * Reads one response (skipping {@code 100 Continue}) and whether the server then closes the connection.
 */
final class RawHttp {
    private static final int MAX_RESPONSE = 4 << 20;

    private RawHttp() {
    }

    /** How the request bytes go out. */
    record Sending(int chunkBytes, Duration pause) {
        static final Sending AT_ONCE = new Sending(Integer.MAX_VALUE, Duration.ZERO);

        boolean dribbles() {
            return chunkBytes != Integer.MAX_VALUE;
        }
    }

    /**
     * What came back.
     *
     * @param status      the response's status, or -1 when none came
     * @param closed      the server closed the connection (after the response, or instead of one)
     * @param timedOut    nothing (more) came within the wait
     * @param sendFailed  the server stopped reading before the whole request was sent (a reset or a close)
     * @param millis      from the first byte sent to the end of the response (or of the wait)
     */
    record Answer(int status, Map<String, String> headers, String body, boolean closed, boolean timedOut,
            boolean sendFailed, long millis) {
        String errorCode() {
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

    static Answer exchange(InetSocketAddress address, byte[] request, Sending sending, Duration wait)
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
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
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
