package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.testkit.AdminHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue: with a token, the health routes need none, and they used to accept a 1 MiB body, dribbled byte by byte.
 * As many such connections as the server admits held every connection slot. Over real sockets, with the default
 * connection limit: each is now answered 413 and closed at once, and health checks and the API keep answering.
 */
@Timeout(120)
final class HealthFloodTest {
    private static final String TOKEN = "flood-t0ken";

    @Test
    void connectionsDribblingBodiesToHealth_areAnsweredAndClosed_soHealthAndTheApiKeepAnswering() throws Exception {
        ApiLimits limits = ApiLimits.defaults();
        try (ApiFixture fixture = new ApiFixture(10)) {
            AdminContext context = fixture.context(BearerAuth.of(TOKEN), limits);
            AdminServer server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), context);
            List<Socket> attack = new ArrayList<>();
            try {
                byte[] head = ("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1048576\r\n\r\n"
                        + "x".repeat(1024)).getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < limits.maxConnections(); i++) {
                    Socket s = new Socket(server.address().getAddress(), server.address().getPort());
                    attack.add(s);
                    s.getOutputStream().write(head);
                }
                for (int i = 0; i < attack.size(); i++) {
                    Socket s = attack.get(i);
                    String answer = readUntilClosed(s, "attacker " + i);
                    assertThat(answer).as("attacker %d", i).startsWith("HTTP/1.1 413").contains("payload_too_large");
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (server.openConnections() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(server.openConnections()).isZero();
                URI base = URI.create("http://127.0.0.1:" + server.address().getPort());
                try (AdminHttp anonymous = new AdminHttp(base); AdminHttp authorized = new AdminHttp(base, TOKEN)) {
                    for (int i = 0; i < 20; i++) {
                        assertThat(anonymous.get("/health/live").status()).isEqualTo(200);
                        assertThat(authorized.get("/v1/chunks").status()).isEqualTo(200);
                    }
                }
            } finally {
                for (Socket s : attack) {
                    s.close();
                }
                server.close();
            }
        }
    }

    private static String readUntilClosed(Socket s, String who) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                got.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError(who + ": no answer and not closed within 10 s: the daemon is reading the body", e);
        } catch (SocketException e) {
            // Closed with our unread body bytes in its buffer, the daemon's side resets: the answer came first.
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }
}
