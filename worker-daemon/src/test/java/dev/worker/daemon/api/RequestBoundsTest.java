package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.daemon.FakeDataManager;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an unauthenticated or slow client can make the daemon hold: no bodies on routes that take none, an overall
 * deadline on bodies, refused bodies dropped only while the header deadline runs.
 */
@Timeout(30)
final class RequestBoundsTest {
    private final ApiFixture fixture = new ApiFixture(10);
    private final FakeDataManager manager = fixture.manager;
    private final EmbeddedAdmin open = fixture.admin(BearerAuth.none());
    private final EmbeddedAdmin guarded = fixture.admin(BearerAuth.of("t0ken"));

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void aBodyToAHealthRoute_is413_andTheConnectionCloses_withoutWaitingForIt() {
        for (EmbeddedAdmin admin : new EmbeddedAdmin[] {open, guarded}) {
            admin.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1048576\r\n\r\n{\"a\"");
            EmbeddedAdmin.Response r = admin.response();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.errorCode()).isEqualTo("payload_too_large");
            assertThat(r.errorMessage()).contains("GET /health/live takes no body");
            assertThat(admin.channel.isOpen()).isFalse();
            assertThat(admin.inFlight.count()).isZero();
        }
    }

    @Test
    void aChunkedBodyToARouteThatTakesNone_is413() {
        guarded.write("GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n");
        EmbeddedAdmin.Response r = guarded.response();
        assertThat(r.status()).isEqualTo(413);
        assertThat(guarded.channel.isOpen()).isFalse();
    }

    @Test
    void anUnknownExpectation_is417_andTheConnectionStaysUsable() {
        EmbeddedAdmin.Response r = guarded.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Expect: 200-ok\r\n\r\n");
        assertThat(r.status()).isEqualTo(417);
        assertThat(r.errorCode()).isEqualTo("expectation_failed");
        assertThat(guarded.get("/health/live").status()).isEqualTo(200);
    }

    @Test
    void anEmptyBodyOnARouteThatTakesNone_isFine() {
        assertThat(guarded.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n").status())
                .isEqualTo(200);
        assertThat(guarded.channel.isOpen()).isTrue();
    }

    @Test
    void aBodyDribbledFasterThanTheIdleTimeout_isCutAtTheBodyDeadline() {
        open.write("POST /v1/chunks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n{");
        // A byte every 25 s never lets the 60 s idle timeout fire; the body deadline (60 s after the head) does.
        for (int i = 0; i < 2; i++) {
            open.channel.advanceTimeBy(25, TimeUnit.SECONDS);
            open.channel.runPendingTasks();
            assertThat(open.outboundSoFar()).as("no answer after %d s", 25 * (i + 1)).isEmpty();
            open.write(" ");
        }
        open.channel.advanceTimeBy(11, TimeUnit.SECONDS);
        open.channel.runPendingTasks();
        EmbeddedAdmin.Response r = open.response();
        assertThat(r.status()).isEqualTo(408);
        assertThat(r.errorCode()).isEqualTo("request_timeout");
        assertThat(r.errorMessage()).contains("body");
        assertThat(open.channel.isOpen()).isFalse();
        assertThat(open.inFlight.count()).isZero();
        assertThat(manager.intents.get()).isZero();
    }

    @Test
    void bodiesInMemory_areBoundedAcrossConnections_andTheBudgetComesBack() {
        ApiLimits limits = ApiLimits.defaults().withMaxAssignmentBodyBytes(64 * 1024)
                .withMaxBufferedBodyBytes(ApiLimits.MIB + 100_000);
        AdminContext context = fixture.context(BearerAuth.none(), limits);
        String head = "POST /v1/chunks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000000\r\n\r\n";
        try (EmbeddedAdmin first = fixture.admin(context); EmbeddedAdmin second = fixture.admin(context)) {
            first.write(head + "x".repeat(600_000));
            first.assertNoResponse();
            second.write(head + "x".repeat(600_000));
            EmbeddedAdmin.Response refused = second.response();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("unavailable");
            assertThat(refused.errorMessage()).contains("request bodies");
            assertThat(second.channel.isOpen()).isFalse();
            assertThat(context.bodyBudget().held()).isEqualTo(600_000);
            first.write("y".repeat(400_000));
            assertThat(first.response().errorCode()).as("the whole body arrived and was read")
                    .isEqualTo("invalid_json");
            assertThat(context.bodyBudget().held()).isZero();
        }
        try (EmbeddedAdmin third = fixture.admin(context)) {
            third.write(head + "x".repeat(1_000_000));
            assertThat(third.response().errorCode()).isEqualTo("invalid_json");
        }
        assertThat(context.bodyBudget().held()).isZero();
    }

    @Test
    void aRefusedBody_isDroppedOnlyUntilTheHeaderDeadline() {
        guarded.write("POST /v1/chunks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n{\"id\"");
        assertThat(guarded.response().status()).isEqualTo(401);
        assertThat(guarded.channel.isOpen()).isTrue();
        for (int i = 0; i < 3; i++) {
            guarded.channel.advanceTimeBy(3, TimeUnit.SECONDS);
            guarded.write("xxxx");
        }
        assertThat(guarded.channel.isOpen()).as("still dropping the body 9 s in").isTrue();
        guarded.channel.advanceTimeBy(2, TimeUnit.SECONDS);
        guarded.channel.runPendingTasks();
        assertThat(guarded.channel.isOpen()).as("closed 11 s after the request's first byte").isFalse();
        assertThat(guarded.inFlight.count()).isZero();
    }
}
