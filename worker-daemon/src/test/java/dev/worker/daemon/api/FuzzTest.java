package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.TestChunks;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Seeded random mutations of valid requests: every one gets a 4xx/2xx answer or a closed connection, never a 5xx. */
@Timeout(60)
final class FuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20260101L);
    private static final String DESCRIPTOR = ChunkDescriptorJson.toJson(TestChunks.descriptor("a", "eth", 100, 200));

    @Test
    void mutatedBodies_parseOrFailWithAnApiError() {
        Random random = new Random(SEED);
        for (int i = 0; i < 5000; i++) {
            byte[] body = mutate(random, DESCRIPTOR.getBytes(StandardCharsets.UTF_8));
            try {
                ApiJson.descriptor(new ByteArrayInputStream(body));
            } catch (ApiException e) {
                assertThat(e.error()).isIn(ApiError.INVALID_JSON, ApiError.INVALID_REQUEST);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + " iteration " + i + ": "
                        + new String(body, StandardCharsets.UTF_8), e);
            }
            try {
                ApiJson.assignment(new ByteArrayInputStream(("{\"chunks\": [" + new String(body,
                        StandardCharsets.ISO_8859_1) + "]}").getBytes(StandardCharsets.ISO_8859_1)));
            } catch (ApiException e) {
                assertThat(e.error()).isIn(ApiError.INVALID_JSON, ApiError.INVALID_REQUEST);
            }
        }
    }

    @Test
    void mutatedRequests_neverGet5xx_andTheDaemonKeepsServing() {
        Random random = new Random(SEED);
        String[] requests = {
                AdminHandlerTest.request("POST", "/v1/chunks", DESCRIPTOR),
                AdminHandlerTest.request("PUT", "/v1/assignment", "{\"chunks\": [" + DESCRIPTOR + "]}"),
                AdminHandlerTest.request("POST", "/v1/leases", "{\"dataset_id\": \"" + TestChunks.datasetId("eth")
                        + "\", \"block\": 150}"),
                "GET /v1/datasets/" + TestChunks.datasetId("eth") + "/blocks/150 HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "DELETE /v1/chunks/" + TestChunks.chunkId("a") + " HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "GET /v1/chunks?state=ready HTTP/1.1\r\nHost: localhost\r\n\r\n"};
        try (ApiFixture fixture = new ApiFixture(1000)) {
            AdminContext context = fixture.context(BearerAuth.none(), ApiLimits.defaults());
            for (int i = 0; i < 400; i++) {
                byte[] raw = mutate(random, requests[random.nextInt(requests.length)].getBytes(StandardCharsets.UTF_8));
                try (EmbeddedAdmin admin = new EmbeddedAdmin(context)) {
                    admin.writeBytes(raw);
                    String out = admin.outboundSoFar();
                    if (out.isEmpty() && admin.channel.isOpen()) {
                        // Incomplete request: the connection waits for more (the header deadline would end it).
                        continue;
                    }
                    if (out.isEmpty()) {
                        continue;
                    }
                    EmbeddedAdmin.Response r = admin.response();
                    assertThat(r.status()).as("seed %d iteration %d: %s", SEED, i,
                            new String(raw, StandardCharsets.ISO_8859_1)).isLessThan(500);
                }
            }
            try (EmbeddedAdmin fresh = new EmbeddedAdmin(context)) {
                assertThat(fresh.get("/health/ready").status()).isEqualTo(200);
            }
        }
    }

    private static final String SPECIAL = "{}[]\",:0-9aZ/.\\%\r\n ";

    private static byte[] mutate(Random random, byte[] input) {
        byte[] out = input.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(4)) {
                case 0 -> out[at] = (byte) random.nextInt(256);
                case 1 -> out[at] = (byte) SPECIAL.charAt(random.nextInt(SPECIAL.length()));
                case 2 -> out = java.util.Arrays.copyOf(out, at);
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(128);
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
            }
            if (out.length == 0) {
                out = new byte[] {'x'};
            }
        }
        return out;
    }
}
