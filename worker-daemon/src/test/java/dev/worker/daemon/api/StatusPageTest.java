package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.TestChunks;
import dev.worker.daemon.FakeDataManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /ui} and {@code GET /v1/status} over HTTP: one self-contained page, the API's auth and browser rules. */
@Timeout(30)
final class StatusPageTest {
    private static final String TOKEN = "page-token";

    private final ApiFixture fixture = new ApiFixture(10);
    private final FakeDataManager manager = fixture.manager;

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void ui_isOneHtmlPage_allowedToRunOnlyItsOwnScriptAndStyle() throws Exception {
        EmbeddedAdmin.Response r = fixture.admin(BearerAuth.none()).get("/ui");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("text/html; charset=utf-8");
        String policy = r.header("content-security-policy");
        assertThat(policy).contains("default-src 'none'", "connect-src 'self'", "frame-ancestors 'none'")
                .contains("script-src " + hashOf("script", r.body()))
                .contains("style-src " + hashOf("style", r.body()));
        // Nothing from elsewhere: no links, sources, imports or URLs in the page.
        assertThat(r.body()).doesNotContain("src=", "href=", "@import", "url(", "http:", "https:");
        assertThat(r.header("x-frame-options")).isEqualTo("DENY");
    }

    @Test
    void ui_followsTheBrowserRules_withoutAToken() {
        EmbeddedAdmin admin = fixture.admin(BearerAuth.none());
        assertThat(admin.send("GET /ui HTTP/1.1\r\nHost: evil.example\r\n\r\n").status()).isEqualTo(403);
        assertThat(admin.get("/ui", "Origin: http://evil.example").status()).isEqualTo(403);
        assertThat(admin.send("GET /v1/status HTTP/1.1\r\nHost: evil.example\r\n\r\n").status()).isEqualTo(403);
        assertThat(admin.get("/ui?x=1").status()).isEqualTo(400);
    }

    @Test
    void withAToken_thePageIsServed_butTheStateNeedsTheToken() {
        EmbeddedAdmin admin = fixture.admin(BearerAuth.of(TOKEN));
        assertThat(admin.get("/ui").status()).isEqualTo(200);
        assertThat(admin.get("/ui").body()).doesNotContain("version 0");
        assertThat(admin.get("/v1/status").status()).isEqualTo(401);
        assertThat(admin.get("/v1/status", "Authorization: Bearer wrong").status()).isEqualTo(401);
        assertThat(admin.get("/v1/status", "Authorization: Bearer " + TOKEN).status()).isEqualTo(200);
    }

    @Test
    void status_reportsCounts_disk_downloads_andCoverage() {
        ChunkDescriptor ready = TestChunks.descriptor("a", "eth", 0, 100);
        ChunkDescriptor queued = TestChunks.descriptor("b", "eth", 200, 300);
        manager.download(ready);
        manager.makeReady(ready.id(), Path.of("/data/a"));
        manager.download(queued);

        JsonNode s = fixture.admin(BearerAuth.none()).get("/v1/status").json();
        assertThat(s.get("version").asText()).isNotBlank();
        assertThat(s.get("chunks").get("ready").asInt()).isEqualTo(1);
        assertThat(s.get("chunks").get("queued").asInt()).isEqualTo(1);
        assertThat(s.get("disk").get("used_bytes").asLong()).isEqualTo(4096);
        assertThat(s.get("disk").get("reserved_bytes").asLong()).isEqualTo(512);
        assertThat(s.get("downloads")).hasSize(1);
        assertThat(s.get("downloads").get(0).get("id").asText()).isEqualTo(queued.id().toString());
        JsonNode dataset = s.get("datasets").get(0);
        assertThat(dataset.get("dataset_id").asText()).isEqualTo(ready.datasetId().toString());
        assertThat(dataset.get("block_range").toString()).isEqualTo("{\"start\":0,\"end\":300}");
        assertThat(dataset.get("segments").toString()).isEqualTo("[{\"start\":0,\"end\":100,\"state\":\"ready\"},"
                + "{\"start\":100,\"end\":200,\"state\":\"missing\"},"
                + "{\"start\":200,\"end\":300,\"state\":\"pending\"}]");
    }

    private static String hashOf(String tag, String html) throws Exception {
        Matcher m = Pattern.compile("<" + tag + ">(.*?)</" + tag + ">", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("a <%s> block", tag).isTrue();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(m.group(1).getBytes(StandardCharsets.UTF_8));
        return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
    }
}
