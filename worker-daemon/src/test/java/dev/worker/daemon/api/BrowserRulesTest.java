package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.TestChunks;
import dev.worker.daemon.FakeDataManager;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Without a token the admin API refuses what a web page could make a browser send to a loopback daemon: a foreign
 * {@code Host} (DNS rebinding), an {@code Origin} header (cross-site fetch), a body that is not JSON (form posts).
 */
@Timeout(30)
final class BrowserRulesTest {
    private static final ChunkDescriptor A = TestChunks.descriptor("a", "eth", 100, 200);
    private static final String DESCRIPTOR = ChunkDescriptorJson.toJson(A);

    private final ApiFixture fixture = new ApiFixture(10);
    private final FakeDataManager manager = fixture.manager;
    private final EmbeddedAdmin admin = fixture.admin(BearerAuth.none());

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private static String post(String path, String body, String... headers) {
        StringBuilder req = new StringBuilder("POST " + path + " HTTP/1.1\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        return req.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n")
                .append(body).toString();
    }

    private void assertForbidden(EmbeddedAdmin.Response r, String why) {
        assertThat(r.status()).as(why).isEqualTo(403);
        assertThat(r.errorCode()).as(why).isEqualTo("forbidden");
    }

    @Test
    void theCrossSiteRebindingPost_isRefused403_andChangesNothing() {
        // What `curl -X POST -H 'Host: evil.example' -H 'Origin: http://evil.example' -H 'Content-Type: text/plain'
        // http://127.0.0.1:PORT/v1/chunks -d '<descriptor>'` sends: a page on evil.example can make a browser send it.
        EmbeddedAdmin.Response r = admin.send(post("/v1/chunks", DESCRIPTOR, "Host: evil.example",
                "User-Agent: curl/7.88.1", "Accept: */*", "Origin: http://evil.example", "Content-Type: text/plain"));
        assertForbidden(r, "cross-site post");
        assertThat(manager.intents.get()).isZero();
        assertThat(manager.statuses()).isEmpty();
    }

    @Test
    void aForeignHost_isRefused_forReadsToo() {
        for (String host : new String[] {"evil.example", "evil.example:7070", "127.0.0.1.evil.example",
                "localhost.evil.example", "0.0.0.0", "10.0.0.1", "[::2]:7070", "", "127.0.0.1 evil"}) {
            EmbeddedAdmin.Response r = admin.send("GET /v1/chunks HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertForbidden(r, "Host: " + host);
            assertThat(r.errorMessage()).as(host).contains("Host");
        }
        assertForbidden(admin.send("GET /metrics HTTP/1.1\r\nHost: evil.example\r\n\r\n"), "metrics");
        assertForbidden(admin.send("GET /v1/chunks HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n"),
                "two Host headers");
    }

    @Test
    void anOriginHeader_isRefused_evenFromALoopbackOrigin() {
        for (String origin : new String[] {"http://evil.example", "http://127.0.0.1:7070", "null"}) {
            EmbeddedAdmin.Response r = admin.send("GET /v1/chunks HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + origin
                    + "\r\n\r\n");
            assertForbidden(r, "Origin: " + origin);
            assertThat(r.errorMessage()).contains("Origin");
        }
    }

    @Test
    void aBodyThatIsNotDeclaredJson_isRefused_andChangesNothing() {
        for (String type : new String[] {"Content-Type: text/plain", "Content-Type: application/x-www-form-urlencoded",
                "Content-Type: multipart/form-data; boundary=x", "Content-Type: application/jsonx",
                "Content-Type: application/json-seq", "X-No-Content-Type: 1"}) {
            EmbeddedAdmin.Response r = admin.send(post("/v1/chunks", DESCRIPTOR, "Host: 127.0.0.1", type));
            assertForbidden(r, type);
            assertThat(r.errorMessage()).as(type).contains("Content-Type");
        }
        assertThat(manager.intents.get()).isZero();
    }

    @Test
    void anEmptyFormPost_isRefused() {
        // An HTML form without fields still sends Content-Type: application/x-www-form-urlencoded.
        EmbeddedAdmin.Response r = admin.send(post("/v1/chunks/" + A.id() + "/verify", "", "Host: 127.0.0.1",
                "Content-Type: application/x-www-form-urlencoded"));
        assertForbidden(r, "empty form post");
    }

    @Test
    void jsonBodies_andBodylessRequestsWithoutContentType_areServed() {
        assertThat(admin.send(post("/v1/chunks", DESCRIPTOR, "Host: 127.0.0.1",
                "Content-Type: Application/JSON; charset=utf-8")).status()).isEqualTo(202);
        assertThat(admin.send(post("/v1/chunks/" + A.id() + "/verify", "", "Host: 127.0.0.1")).status())
                .isEqualTo(200);
        assertThat(admin.send("DELETE /v1/chunks/" + A.id() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status())
                .isEqualTo(202);
    }

    @Test
    void loopbackHosts_areServed() {
        for (String host : new String[] {"127.0.0.1", "127.0.0.1:7070", "127.4.5.6:80", "localhost", "LocalHost:7070",
                "localhost.", "[::1]", "[::1]:7070"}) {
            assertThat(admin.send("GET /v1/chunks HTTP/1.1\r\nHost: " + host + "\r\n\r\n").status()).as(host)
                    .isEqualTo(200);
        }
        // No browser sends a request without Host.
        assertThat(admin.send("GET /v1/chunks HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void theListenHost_isServed_asGivenToListen() {
        try (EmbeddedAdmin a = fixture.admin(fixture.context(BearerAuth.none(), "Worker-Admin.internal",
                ApiLimits.defaults()))) {
            assertThat(a.send("GET /v1/chunks HTTP/1.1\r\nHost: worker-admin.internal:7070\r\n\r\n").status())
                    .isEqualTo(200);
            assertForbidden(a.send("GET /v1/chunks HTTP/1.1\r\nHost: other.internal:7070\r\n\r\n"), "other name");
        }
        try (EmbeddedAdmin a = fixture.admin(fixture.context(BearerAuth.none(), "::1", ApiLimits.defaults()))) {
            assertThat(a.send("GET /v1/chunks HTTP/1.1\r\nHost: [::1]:7070\r\n\r\n").status()).isEqualTo(200);
        }
    }

    @Test
    void withAToken_theTokenDecides_notHostOriginOrContentType() {
        try (EmbeddedAdmin guarded = fixture.admin(BearerAuth.of("t0ken"))) {
            EmbeddedAdmin.Response r = guarded.send(post("/v1/chunks", DESCRIPTOR, "Host: worker-7.example",
                    "Origin: http://evil.example", "Content-Type: text/plain", "Authorization: Bearer t0ken"));
            assertThat(r.status()).isEqualTo(202);
            assertThat(guarded.send(post("/v1/chunks", DESCRIPTOR, "Host: evil.example", "Origin: http://evil.example",
                    "Content-Type: application/json")).status()).isEqualTo(401);
        }
    }
}
