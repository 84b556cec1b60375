package dev.worker.mock;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** An HTTP/1.1 client on a plain socket, for what the JDK client hides: connection reuse, timing, early EOF. */
final class RawConnection implements AutoCloseable {
    /** A response head: status and headers (names in lower case). */
    record Head(int status, Map<String, String> headers) {
        long contentLength() {
            return Long.parseLong(headers.get("content-length"));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;

    RawConnection(URI base) throws IOException {
        socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(20_000);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
        host = base.getHost() + ":" + base.getPort();
    }

    /** Sends a request with the given extra header lines (e.g. {@code "Range: bytes=0-1"}). */
    RawConnection send(String method, String path, String... headers) throws IOException {
        out.write(request(method, path, headers).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return this;
    }

    /** Sends raw bytes, e.g. several requests at once. */
    RawConnection sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return this;
    }

    String request(String method, String path, String... headers) {
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append("\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    Head readHead() throws IOException {
        String status = line();
        if (status == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = status.split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(); line != null && !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        return new Head(Integer.parseInt(parts[1]), headers);
    }

    /** Reads exactly {@code n} body bytes. */
    byte[] readBody(long n) throws IOException {
        byte[] body = in.readNBytes(Math.toIntExact(n));
        if (body.length != n) {
            throw new IOException("body ended after " + body.length + " of " + n + " bytes");
        }
        return body;
    }

    InputStream input() {
        return in;
    }

    /** Whether the server has closed the connection (reads EOF within the socket timeout). */
    boolean closedByServer() throws IOException {
        return in.read() == -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }
}
