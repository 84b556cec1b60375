package dev.worker.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.worker.core.TestChunks;
import dev.worker.testkit.StubServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin client's requests as a server sees them, and what it makes of answers and of no answer. */
final class AdminClientTest {
    private record Seen(String method, String path, String contentType, String authorization, String body) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private StubServer server;
    private URI base;

    @BeforeEach
    void setUp() throws IOException {
        server = StubServer.start(this::answer);
        base = server.base().resolve("/prefix/");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"), body));
            byte[] answer = "{\"error\": {\"code\": \"conflict\", \"message\": \"no\"}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(409, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    @Test
    void requests_keepTheBasePath_sendTheToken_andTypeOnlyBodies() throws Exception {
        try (AdminClient client = new AdminClient(base, Optional.of("t0ken"), Duration.ofSeconds(10))) {
            HttpReply reply = client.download(TestChunks.descriptor("a", "eth", 0, 10));
            client.get("/v1/chunks");

            assertThat(reply.status()).isEqualTo(409);
            assertThat(reply.ok()).isFalse();
            assertThat(reply.errorCode()).isEqualTo("conflict");
            assertThat(reply.describe()).isEqualTo("POST /v1/chunks: HTTP 409 conflict: no");
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0).path()).isEqualTo("/prefix/v1/chunks");
            assertThat(seen.get(0).contentType()).isEqualTo("application/json");
            assertThat(seen.get(0).authorization()).isEqualTo("Bearer t0ken");
            assertThat(seen.get(0).body()).contains(TestChunks.chunkId("a").toString());
            assertThat(seen.get(1).method()).isEqualTo("GET");
            assertThat(seen.get(1).contentType()).isNull();
        }
    }

    @Test
    void noDaemon_isAConnectException_namingWhereAndWhat() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (AdminClient client = new AdminClient(URI.create("http://127.0.0.1:" + port), Optional.empty(),
                Duration.ofSeconds(10))) {
            assertThatThrownBy(() -> client.get("/health/ready"))
                    .isInstanceOf(ConnectException.class)
                    .hasMessage("cannot connect to the daemon at http://127.0.0.1:" + port + " (GET /health/ready)");
        }
    }

    @Test
    void json_ofABodyThatIsNotJson_isAnIOExceptionNamingTheRequest() {
        HttpReply reply = new HttpReply("GET", "/metrics", 200, "# not json");
        assertThatThrownBy(reply::json).isInstanceOf(IOException.class)
                .hasMessageStartingWith("GET /metrics answered HTTP 200 with a body that is not JSON");
        assertThat(reply.errorCode()).isEmpty();
        assertThat(reply.describe()).isEqualTo("GET /metrics: HTTP 200 # not json");
    }
}
