package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.DataManager;
import dev.worker.core.ManagerConfig;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/grafana/worker.json and docs/prometheus/alerts.yml against Debian's Prometheus scraping a real daemon: every
 * dashboard query returns series, every alert rule evaluates and each metric it selects exists, promtool accepts
 * the rules and their unit tests, and the alerts the daemon's state calls for go pending.
 */
@Timeout(180)
final class MonitoringTest {
    private static final Path DOCS = Path.of("..", "docs");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern SELECTOR = Pattern.compile(
            "(?<![\\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{[^}]*\\})?(\\s*\\()?");

    @TempDir
    Path dir;

    // Per test, not per class: a class-level skip would leave no test, and no reason, in the report.
    @BeforeEach
    void prometheus() {
        Optional<String> unavailable = PrometheusServer.unavailable();
        assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.orElseThrow());
    }

    @Test
    void promtool_acceptsTheRules_andTheirUnitTestsPass() throws Exception {
        assertThat(promtool("check", "rules", DOCS.resolve("prometheus/alerts.yml"))).contains("SUCCESS");
        assertThat(promtool("test", "rules", DOCS.resolve("prometheus/alerts.test.yml"))).contains("SUCCESS");
    }

    @Test
    void dashboardAndAlertQueries_findTheDaemonsSeries() throws Exception {
        try (TestStorage storage = new TestStorage();
                Daemon daemon = Daemon.start(DaemonConfig.of(ManagerConfig.builder(dir.resolve("data"))
                        .minFreeBytes(0).maxDiskBytes(9000).build(), ListenAddress.parse("127.0.0.1:0")));
                AdminHttp http = new AdminHttp(daemon.url())) {
            DataManager manager = daemon.ready().get(30, TimeUnit.SECONDS);
            // 8192 of 9000 bytes: over 90% of the budget. And one chunk that fails for good (404).
            ChunkDescriptor a = storage.chunk("a", "eth", 0, 100, 1, 8192);
            ChunkDescriptor c = storage.missingChunk("c", "eth", 100, 200);
            manager.download(a);
            manager.download(c);
            http.awaitState(a.id().toString(), "ready", WAIT);
            http.awaitState(c.id().toString(), "failed", WAIT);

            // A second target where nothing listens: a worker that is down.
            String down = "127.0.0.1:" + PrometheusServer.freePort();
            String live = daemon.address().getAddress().getHostAddress() + ":" + daemon.address().getPort();
            String config = """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    rule_files: ["%s"]
                    scrape_configs:
                      - job_name: worker
                        static_configs: [{targets: ["%s", "%s"]}]
                    """.formatted(DOCS.resolve("prometheus/alerts.yml").toAbsolutePath(), live, down);
            try (PrometheusServer prometheus = PrometheusServer.start(dir, config)) {
                Await.until("four scrapes of the daemon", WAIT, () -> prometheus.query(
                        "count_over_time(up{job=\"worker\",instance=\"" + live + "\"}[1m]) >= 4").size() == 1);

                List<String> dashboard = dashboardQueries();
                assertThat(dashboard).hasSizeGreaterThan(15);
                for (String expr : dashboard) {
                    assertThat(prometheus.query(expand(expr))).as("dashboard query %s", expr).isNotEmpty();
                }

                JsonNode rules = prometheus.api("/api/v1/rules").path("groups").get(0).path("rules");
                List<String> ruleNames = new ArrayList<>();
                for (JsonNode rule : rules) {
                    String name = rule.get("name").asText();
                    ruleNames.add(name);
                    Await.until(name + " evaluated", WAIT, () -> !prometheus.api("/api/v1/rules").toString()
                            .contains("\"health\":\"unknown\""));
                    for (String selector : selectors(rule.get("query").asText())) {
                        assertThat(prometheus.query(selector)).as("%s selects %s", name, selector).isNotEmpty();
                    }
                }
                assertThat(ruleNames).containsExactlyElementsOf(alertNames());
                JsonNode evaluated = prometheus.api("/api/v1/rules").path("groups").get(0).path("rules");
                evaluated.forEach(r -> assertThat(r.get("health").asText()).as(r.get("name").asText() + ": "
                        + r.path("lastError").asText()).isEqualTo("ok"));

                Await.until("the alerts this state calls for are pending", WAIT, () -> {
                    Set<String> active = new LinkedHashSet<>();
                    prometheus.api("/api/v1/alerts").path("alerts").forEach(x -> active.add(
                            x.path("labels").path("alertname").asText()));
                    return active.containsAll(List.of("WorkerChunkFailed", "WorkerDiskNearBudget", "WorkerNotReady"))
                            && !active.contains("WorkerRetriesClimbing") && !active.contains("WorkerRefsLeaked");
                });
            }
        }
    }

    /** Every target expression of every panel, rows included. */
    static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DOCS.resolve("grafana/worker.json").toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panel.path("targets").forEach(t -> out.add(t.get("expr").asText()));
            panel.path("panels").forEach(p -> p.path("targets").forEach(t -> out.add(t.get("expr").asText())));
        }
        return out;
    }

    private static List<String> alertNames() throws IOException {
        JsonNode file = new ObjectMapper(new YAMLFactory()).readTree(DOCS.resolve("prometheus/alerts.yml").toFile());
        List<String> names = new ArrayList<>();
        file.path("groups").get(0).path("rules").forEach(r -> names.add(r.get("alert").asText()));
        return names;
    }

    /** Grafana's variables as a dashboard showing every instance over a short range would set them. */
    static String expand(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("$__interval", "15s").replace("$instance", ".*");
    }

    /** The vector selectors of a PromQL expression: metric names with their matchers, not functions or labels. */
    static List<String> selectors(String expr) {
        String text = GROUPING.matcher(expr).replaceAll(" ");
        Set<String> out = new LinkedHashSet<>();
        Matcher m = SELECTOR.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (m.group(3) != null || KEYWORDS.contains(name.toLowerCase(Locale.ROOT))) {
                continue; // a function or aggregation, or a keyword
            }
            out.add(name + (m.group(2) == null ? "" : m.group(2)));
        }
        return List.copyOf(out);
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PrometheusServer.binary("promtool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    private static String promtool(String a, String b, Path file) throws IOException, InterruptedException {
        return promtool(a, b, file.toString());
    }
}
