package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.DataManager;
import dev.worker.core.ManagerConfig;
import dev.worker.core.TestChunks;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.Await;
import dev.worker.testkit.HeadlessChromium;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page at /ui in headless Chromium, against a real daemon: the demo's chunks with moving progress bars,
 * the coverage map of a known set, and the token prompt. Screenshots go to target/status-page/.
 */
@Timeout(120)
final class StatusPageBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final Path SCREENSHOTS = Path.of("target", "status-page");

    @TempDir
    Path dir;

    // Per test, not per class: a class-level skip would leave no test, and no reason, in the report.
    @BeforeEach
    void chromium() {
        Optional<String> unavailable = HeadlessChromium.unavailable();
        assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.orElseThrow());
    }

    @Test
    void page_showsTheDemosChunks_andTheirProgressBarsMove() throws Exception {
        // 12 chunks of 2 MiB at 1 MiB/s in all: about 24 s of downloads, plenty to watch a bar move.
        try (Demo demo = Demo.start(MockStorageProcessTest.mockOnTestClassPath(), 2L << 20, 1L << 20);
                Daemon daemon = start(DaemonConfig.of(config(dir), ListenAddress.parse("127.0.0.1:0")));
                HeadlessChromium chromium = HeadlessChromium.start(1200, 1400)) {
            DataManager manager = daemon.ready().get(30, TimeUnit.SECONDS);
            demo.assign(daemon, manager, new PrintWriter(new StringWriter(), true));
            chromium.navigate(daemon.url() + "/ui");

            Await.until("the page shows the demo's 12 chunks", WAIT, () -> chromium.evaluate(
                    "['queued','downloading','ready','failed','removing'].map(s => document.getElementById('count-' "
                            + "+ s)).reduce((n, e) => n + (e ? Number(e.textContent) : 0), 0)").asInt() == 12);
            assertThat(chromium.evaluate("document.querySelectorAll('.dataset').length").asInt())
                    .isEqualTo(Demo.DATASETS);

            String moving = "(() => { const b = Array.from(document.querySelectorAll('#downloads-body .progress'))"
                    + ".find(b => Number(b.dataset.percent) > 0 && Number(b.dataset.percent) < 90);"
                    + " return b ? {id: b.closest('tr').dataset.id, percent: Number(b.dataset.percent),"
                    + " width: b.firstChild.style.width} : null; })()";
            JsonNode[] first = new JsonNode[1];
            Await.until("a download's bar is part way", WAIT, () -> !(first[0] = chromium.evaluate(moving)).isNull());
            String id = first[0].get("id").asText();
            double before = first[0].get("percent").asDouble();
            assertThat(first[0].get("width").asText()).endsWith("%");
            String same = "(() => { const r = document.querySelector('#downloads-body tr[data-id=\"" + id + "\"]');"
                    + " return r ? Number(r.querySelector('.progress').dataset.percent) : 100; })()";
            Await.until("chunk " + id + "'s bar moved on from " + before + "%", WAIT,
                    () -> chromium.evaluate(same).asDouble() > before);
            save(chromium, "demo.png");
        }
    }

    @Test
    void coverageMap_showsReady_missing_failed_andPendingRanges() throws Exception {
        try (TestStorage storage = new TestStorage();
                Daemon daemon = start(DaemonConfig.of(config(dir), ListenAddress.parse("127.0.0.1:0")));
                AdminHttp http = new AdminHttp(daemon.url());
                HeadlessChromium chromium = HeadlessChromium.start(1200, 800)) {
            DataManager manager = daemon.ready().get(30, TimeUnit.SECONDS);
            ChunkDescriptor a = storage.chunk("a", "eth", 0, 1000, 1, 4096);
            ChunkDescriptor b = storage.chunk("b", "eth", 1000, 2000, 1, 4096);
            ChunkDescriptor c = storage.missingChunk("c", "eth", 3000, 4000);
            ChunkDescriptor d = storage.chunk("d", "eth", 4000, 5000, 1, 4096);
            for (ChunkDescriptor ready : List.of(a, b)) {
                manager.download(ready);
                http.awaitState(ready.id().toString(), "ready", WAIT);
            }
            manager.download(c);
            http.awaitState(c.id().toString(), "failed", WAIT);
            storage.hold(); // d stays pending
            try {
                manager.download(d);
                chromium.navigate(daemon.url() + "/ui");
                String dataset = TestChunks.datasetId("eth").toString();
                String segments = "Array.from(document.querySelectorAll('.dataset[data-dataset=\"" + dataset
                        + "\"] .seg')).map(s => [s.dataset.start, s.dataset.end, s.dataset.state, s.style.left,"
                        + " s.style.width].join(' '))";
                List<String> expected = List.of("0 2000 ready 0% 40%", "2000 3000 missing 40% 20%",
                        "3000 4000 failed 60% 20%", "4000 5000 pending 80% 20%");
                Await.until("the coverage map of " + dataset, WAIT, () -> texts(chromium.evaluate(segments))
                        .equals(expected));
                assertThat(chromium.evaluate("document.getElementById('count-ready').textContent").asText())
                        .isEqualTo("2");
                assertThat(chromium.evaluate("document.getElementById('count-failed').textContent").asText())
                        .isEqualTo("1");
                save(chromium, "coverage.png");
            } finally {
                storage.release();
            }
        }
    }

    @Test
    void withAToken_thePageShowsNothingUntilItIsGiven_thenTheState() throws Exception {
        String token = "s3cret-token-for-the-page";
        try (TestStorage storage = new TestStorage();
                Daemon daemon = start(DaemonConfig.of(config(dir), ListenAddress.parse("127.0.0.1:0"))
                        .withToken(token));
                AdminHttp http = new AdminHttp(daemon.url(), token);
                HeadlessChromium chromium = HeadlessChromium.start(1200, 800)) {
            DataManager manager = daemon.ready().get(30, TimeUnit.SECONDS);
            ChunkDescriptor a = storage.chunk("a", "eth", 0, 1000, 1, 4096);
            manager.download(a);
            http.awaitState(a.id().toString(), "ready", WAIT);
            chromium.navigate(daemon.url() + "/ui");

            Await.until("the page asks for the token", WAIT, () -> visible(chromium, "login"));
            assertNothingShown(chromium, a);
            submitToken(chromium, "wrong");
            Await.until("the page says the token was refused", WAIT, () -> visible(chromium, "login")
                    && chromium.evaluate("document.getElementById('login-why').textContent").asText()
                    .contains("refused"));
            assertNothingShown(chromium, a);

            submitToken(chromium, token);
            Await.until("the page shows the state", WAIT, () -> visible(chromium, "state")
                    && chromium.evaluate("document.getElementById('count-ready').textContent").asText().equals("1"));
            assertThat(visible(chromium, "login")).isFalse();
            assertThat(chromium.evaluate("document.body.innerText").asText()).contains(a.datasetId().toString());
            save(chromium, "token.png");
        }
    }

    private static void assertNothingShown(HeadlessChromium chromium, ChunkDescriptor chunk) {
        assertThat(visible(chromium, "state")).isFalse();
        String text = chromium.evaluate("document.body.innerText").asText();
        assertThat(text).doesNotContain(chunk.datasetId().toString()).doesNotContain("version")
                .doesNotContain("Coverage");
        assertThat(chromium.evaluate("document.querySelectorAll('.tile, .dataset, #downloads-body tr').length")
                .asInt()).isZero();
    }

    private static void submitToken(HeadlessChromium chromium, String token) {
        chromium.evaluate("document.getElementById('token').value = '" + token + "';"
                + " document.getElementById('login-form').requestSubmit(); true");
    }

    private static boolean visible(HeadlessChromium chromium, String id) {
        return !chromium.evaluate("document.getElementById('" + id + "').hidden").asBoolean();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static ManagerConfig config(Path dir) {
        return ManagerConfig.builder(dir.resolve("data")).minFreeBytes(0).build();
    }

    private static Daemon start(DaemonConfig config) throws StartupException {
        return Daemon.start(config);
    }

    private static void save(HeadlessChromium chromium, String name) throws Exception {
        byte[] png = chromium.screenshot();
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name), png);
    }
}
