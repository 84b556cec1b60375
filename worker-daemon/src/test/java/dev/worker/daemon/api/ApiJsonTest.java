package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkState;
import dev.worker.core.ChunkStatus;
import dev.worker.core.TestChunks;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class ApiJsonTest {
    private static final ChunkDescriptor A = TestChunks.descriptor("a", "eth", 100, 200);
    private static final ChunkDescriptor B = TestChunks.descriptor("b", "eth", 200, 300);

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void assignment_parsesEveryDescriptor() {
        List<ChunkDescriptor> chunks = ApiJson.assignment(in("{\"chunks\": [" + ChunkDescriptorJson.toJson(A) + ", "
                + ChunkDescriptorJson.toJson(B) + "]}"));
        assertThat(chunks).containsExactly(A, B);
        assertThat(ApiJson.assignment(in("{\"chunks\": []}"))).isEmpty();
    }

    @Test
    void assignment_namesTheElementThatIsWrong() {
        assertThatThrownBy(() -> ApiJson.assignment(
                in("{\"chunks\": [" + ChunkDescriptorJson.toJson(A) + ", {\"id\": 1}]}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.error()).isEqualTo(ApiError.INVALID_REQUEST);
                    assertThat(e.getMessage()).startsWith("chunks[1].id");
                });
    }

    /** Found by the bad-input suite (reliability/corpus/encoding/utf32-*.http): these bodies were answered 500. */
    @Test
    void aBodyThatLooksLikeUtf32ButIsNot_isInvalidJson_notAnInternalError() {
        byte[][] bodies = {
            {0, 0, 0, 0x7b, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {0, 0, (byte) 0xfe, (byte) 0xff, 0, 0, 0, 0x7b, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
        };
        for (byte[] body : bodies) {
            assertThatThrownBy(() -> ApiJson.readTree(new ByteArrayInputStream(body)))
                    .isInstanceOfSatisfying(ApiException.class,
                            e -> assertThat(e.error()).isEqualTo(ApiError.INVALID_JSON));
            assertThatThrownBy(() -> ApiJson.descriptor(new ByteArrayInputStream(body)))
                    .isInstanceOfSatisfying(ApiException.class,
                            e -> assertThat(e.error()).isEqualTo(ApiError.INVALID_JSON));
            assertThatThrownBy(() -> ApiJson.assignment(new ByteArrayInputStream(body)))
                    .isInstanceOfSatisfying(ApiException.class,
                            e -> assertThat(e.error()).isEqualTo(ApiError.INVALID_JSON));
        }
    }

    @Test
    void status_hasTheDocumentedShape() {
        ChunkStatus ready = new ChunkStatus(A, ChunkState.READY, 10, 10, 1, Optional.empty(), 2, Optional.empty(),
                Optional.of(Path.of("/d/chunks/a")));
        assertThat(new String(ApiJson.status(ready), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"" + A.id()
                + "\",\"dataset_id\":\"" + A.datasetId() + "\",\"block_range\":{\"start\":100,\"end\":200},"
                + "\"state\":\"ready\",\"bytes_done\":10,\"bytes_total\":10,\"attempts\":1,\"last_error\":null,"
                + "\"refs\":2,\"path\":\"/d/chunks/a\"}");
        ChunkStatus retrying = new ChunkStatus(A, ChunkState.DOWNLOADING, 5, 10, 3, Optional.of("HTTP 503"), 0,
                Optional.of(Instant.parse("2026-01-02T03:04:05.123456Z")), Optional.empty());
        String json = new String(ApiJson.status(retrying), StandardCharsets.UTF_8);
        assertThat(json).contains("\"last_error\":\"HTTP 503\"")
                .contains("\"next_retry_at\":\"2026-01-02T03:04:05.123Z\"")
                .doesNotContain("path");
    }
}
