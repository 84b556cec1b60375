package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptorJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** The admin pipeline on an {@link EmbeddedChannel}: raw HTTP bytes in, parsed responses out, no sockets. */
final class EmbeddedAdmin implements AutoCloseable {
    final AdminContext context;
    final EmbeddedChannel channel;
    final AdminServer.InFlight inFlight = new AdminServer.InFlight();
    private final StringBuilder pending = new StringBuilder();

    EmbeddedAdmin(AdminContext context) {
        this.context = context;
        this.channel = new EmbeddedChannel(new ChannelInitializer<EmbeddedChannel>() {
            @Override
            protected void initChannel(EmbeddedChannel ch) {
                AdminChannelInitializer.configure(ch.pipeline(), context, inFlight);
            }
        });
        channel.freezeTime();
    }

    /** A context as for a daemon listening on 127.0.0.1. */
    static AdminContext context(BearerAuth auth, ApiLimits limits, Executor offload) {
        return context(auth, "127.0.0.1", limits, offload);
    }

    static AdminContext context(BearerAuth auth, String listenHost, ApiLimits limits, Executor offload) {
        return new AdminContext(auth, listenHost, limits, () -> "# metrics\nworker_up 1\n", offload);
    }

    record Response(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return ChunkDescriptorJson.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String errorCode() {
            return json().path("error").path("code").asText();
        }

        String errorMessage() {
            return json().path("error").path("message").asText();
        }
    }

    void write(String raw) {
        writeBytes(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    void writeBytes(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        channel.runPendingTasks();
    }

    Response send(String raw) {
        write(raw);
        return response();
    }

    /** A request with a JSON body (Content-Length set). */
    Response send(String method, String path, String body, String... headers) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        req.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length).append("\r\n\r\n");
        byte[] head = req.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + bytes.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bytes, 0, all, head.length, bytes.length);
        writeBytes(all);
        return response();
    }

    Response get(String path, String... headers) {
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        return send(req.append("\r\n").toString());
    }

    Response delete(String path) {
        return send("DELETE " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }

    /** Waits (up to 5 s) for the next complete response, running the channel's tasks meanwhile. */
    Response response() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            channel.runPendingTasks();
            drainOutbound();
            Response r = tryParse();
            if (r != null) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no complete response within 5s; have: " + pending);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Whatever bytes have been written so far (without waiting). */
    String outboundSoFar() {
        channel.runPendingTasks();
        drainOutbound();
        return pending.toString();
    }

    private void drainOutbound() {
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            pending.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
    }

    private Response tryParse() {
        int end = pending.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String[] lines = pending.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        int length = headers.containsKey("content-length") ? Integer.parseInt(headers.get("content-length")) : 0;
        // pending holds one char per byte (ISO-8859-1), so Content-Length counts chars here.
        if (pending.length() < end + 4 + length) {
            return null;
        }
        String body = new String(pending.substring(end + 4, end + 4 + length).getBytes(StandardCharsets.ISO_8859_1),
                StandardCharsets.UTF_8);
        pending.delete(0, end + 4 + length);
        return new Response(status, headers, body);
    }

    void assertNoResponse() {
        assertThat(outboundSoFar()).isEmpty();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
