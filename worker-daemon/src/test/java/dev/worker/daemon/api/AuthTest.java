package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.daemon.FakeDataManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bearer-token auth on the admin API. */
@Timeout(30)
final class AuthTest {
    private final ApiFixture fixture = new ApiFixture(10);
    private final FakeDataManager manager = fixture.manager;
    private final EmbeddedAdmin admin = fixture.admin(BearerAuth.of("s3cret-token"));

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void missingToken_is401WithWwwAuthenticate() {
        EmbeddedAdmin.Response r = admin.get("/v1/chunks");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("unauthorized");
        assertThat(r.header("www-authenticate")).startsWith("Bearer");
    }

    @Test
    void wrongToken_orScheme_is401() {
        assertThat(admin.get("/v1/chunks", "Authorization: Bearer wrong").status()).isEqualTo(401);
        assertThat(admin.get("/v1/chunks", "Authorization: Bearer s3cret-token-and-more").status()).isEqualTo(401);
        assertThat(admin.get("/v1/chunks", "Authorization: Basic czNjcmV0LXRva2Vu").status()).isEqualTo(401);
        assertThat(admin.get("/v1/chunks", "Authorization: Bearer").status()).isEqualTo(401);
    }

    @Test
    void rightToken_passes() {
        assertThat(admin.get("/v1/chunks", "Authorization: Bearer s3cret-token").status()).isEqualTo(200);
        assertThat(admin.get("/metrics", "Authorization: bearer s3cret-token").status()).isEqualTo(200);
    }

    @Test
    void healthChecks_needNoToken() {
        assertThat(admin.get("/health/live").status()).isEqualTo(200);
        assertThat(admin.get("/health/ready").status()).isEqualTo(200);
    }

    @Test
    void unknownPathsAndMetrics_needTheToken() {
        assertThat(admin.get("/nothing").status()).isEqualTo(401);
        assertThat(admin.get("/metrics").status()).isEqualTo(401);
        assertThat(admin.send("DELETE /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(401);
    }

    @Test
    void refusedBody_isDiscarded_andTheConnectionStaysUsable() {
        EmbeddedAdmin.Response r = admin.send("POST", "/v1/chunks", "{\"not\": \"read\"}");
        assertThat(r.status()).isEqualTo(401);
        assertThat(admin.get("/v1/chunks", "Authorization: Bearer s3cret-token").status()).isEqualTo(200);
        assertThat(manager.intents.get()).isZero();
    }
}
