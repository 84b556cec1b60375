package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.worker.daemon.cli.WorkerCommand;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.ConnectionCounter;
import dev.worker.testkit.DaemonProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad source configuration and bad sources: a usage error (exit 2) at start, or a 400 at the API, and nothing
 * stored; the source policy end to end, with 127.0.0.3 denied by flag (a listener there counts connections that
 * must never come).
 */
@Timeout(120)
final class SourceBadInputTest {
    private static final String ID = "00000000000000000000000000000000000000000000000000000000000000a1";
    private static final String DATASET = "00000000000000000000000000000000000000000000000000000000000000d1";

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    @Test
    void serve_withANamedProfileThatIsNowhere_orBadSourceFlags_exits2_andCreatesNothing() {
        Path data = tmp.resolve("data");
        Map<String, String> env = Map.of("HOME", tmp.toString());

        Run profile = run(env, "serve", "--data-dir", data.toString(), "--listen", "127.0.0.1:0", "--s3-profile",
                "ghost");
        Run deny = run(env, "serve", "--data-dir", data.toString(), "--listen", "127.0.0.1:0", "--source-deny",
                "10.0.0.0/8,not a host!");
        Run headers = run(env, "serve", "--data-dir", data.toString(), "--listen", "127.0.0.1:0",
                "--source-headers", tmp.resolve("missing.json").toString());
        Run envProfile = run(Map.of("HOME", tmp.toString(), "AWS_PROFILE", "ghost"), "serve", "--data-dir",
                data.toString(), "--listen", "127.0.0.1:0");
        Run envDeny = run(Map.of("HOME", tmp.toString(), "WORKER_SOURCE_DENY", "127.0.0.3/32,999.1.1.1/8"), "serve",
                "--data-dir", data.toString(), "--listen", "127.0.0.1:0");

        assertThat(profile.code()).isEqualTo(2);
        assertThat(profile.err()).contains("AWS profile 'ghost'");
        assertThat(deny.code()).isEqualTo(2);
        assertThat(deny.err()).contains("--source-deny", "not a host!");
        assertThat(headers.code()).isEqualTo(2);
        assertThat(headers.err()).contains("--source-headers", "missing.json");
        assertThat(envProfile.code()).isEqualTo(2);
        assertThat(envDeny.code()).isEqualTo(2);
        assertThat(envDeny.err()).contains("--source-deny", "999.1.1.1/8");
        assertThat(data).doesNotExist();
    }

    @Test
    void catalog_badLocationOrMissingRegionOrProfile_exits2() {
        Map<String, String> env = Map.of("HOME", tmp.toString(), "AWS_ACCESS_KEY_ID", "A",
                "AWS_SECRET_ACCESS_KEY", "B");

        assertThat(run(env, "catalog", "s3://", "--s3-region", "r")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("no bucket");
        });
        assertThat(run(env, "catalog", "gs://bucket/prefix", "--s3-region", "r")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("scheme gs");
        });
        assertThat(run(env, "catalog", "s3://bucket/prefix")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("need a region");
        });
        assertThat(run(env, "catalog", "s3://bucket/prefix", "--s3-region", "r", "--s3-profile", "ghost"))
                .satisfies(r -> {
                    assertThat(r.code()).isEqualTo(2);
                    assertThat(r.err()).contains("AWS profile 'ghost'");
                });
    }

    @Test
    void api_s3SourcesWithoutRegion_orMalformed_get400_andNothingIsStored() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.serve(Map.of("HOME", tmp.toString()), tmp.resolve("data"));
                AdminHttp http = new AdminHttp(daemon.url())) {
            daemon.awaitReady(http);

            AdminHttp.Reply noRegion = post(http, "/v1/chunks", chunk("s3://bucket/0-99-a/blocks.parquet"));
            AdminHttp.Reply noBucket = post(http, "/v1/chunks", chunk("s3:///blocks.parquet"));
            AdminHttp.Reply noKey = post(http, "/v1/chunks", chunk("s3://bucket"));
            AdminHttp.Reply scheme = post(http, "/v1/chunks", chunk("gopher://host/blocks"));
            AdminHttp.Reply assignment = send(http, "PUT", "/v1/assignment",
                    "{\"chunks\": [" + chunk("s3://bucket/0-99-a/blocks.parquet") + "]}");

            assertThat(noRegion.status()).isEqualTo(400);
            assertThat(noRegion.errorCode()).isEqualTo("invalid_request");
            assertThat(noRegion.body()).contains("need a region");
            assertThat(noBucket.status()).isEqualTo(400);
            assertThat(noBucket.body()).contains("no bucket");
            assertThat(noKey.status()).isEqualTo(400);
            assertThat(noKey.body()).contains("no object key");
            assertThat(scheme.status()).isEqualTo(400);
            assertThat(scheme.body()).contains("http, https or s3");
            assertThat(assignment.status()).isEqualTo(400);
            assertThat(assignment.body()).contains("need a region");
            assertThat(http.get("/v1/chunks/" + ID).status()).isEqualTo(404);
            assertThat(http.get("/v1/chunks").json().path("chunks")).isEmpty();
        }
    }

    @Test
    void sourceDenyByFlag_failsTheChunkNamingTheRule_directOrByRedirect_withoutConnecting() throws Exception {
        HttpServer redirector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        try (ConnectionCounter denied = ConnectionCounter.on127(3)) {
            String target = "http://127.0.0.3:" + denied.port() + "/blocks";
            redirector.createContext("/", exchange -> {
                exchange.getResponseHeaders().add("Location", target);
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
            });
            redirector.start();
            String viaRedirect = "http://127.0.0.1:" + redirector.getAddress().getPort() + "/moved";
            try (DaemonProcess daemon = DaemonProcess.serve(Map.of("HOME", tmp.toString()), tmp.resolve("data"),
                    "--source-deny", "127.0.0.3/32"); AdminHttp http = new AdminHttp(daemon.url())) {
                daemon.awaitReady(http);
                assertThat(post(http, "/v1/chunks", chunk(target)).status()).isEqualTo(202);
                String direct = awaitFailed(http, ID);
                assertThat(http.delete("/v1/chunks/" + ID).status()).isEqualTo(202);
                String second = ID.replace("a1", "a2");
                assertThat(post(http, "/v1/chunks", chunk(viaRedirect).replace(ID, second)).status()).isEqualTo(202);
                String redirected = awaitFailed(http, second);

                assertThat(direct).contains("refused by the source policy (rule source_deny)", target);
                assertThat(redirected).contains("refused by the source policy (rule source_deny)", "127.0.0.3");
                assertThat(denied.accepted()).isZero();
            }
        } finally {
            redirector.stop(0);
        }
    }

    private static String awaitFailed(AdminHttp http, String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = http.get("/v1/chunks/" + id).json();
            if (status.path("state").asText().equals("failed")) {
                return status.path("last_error").asText();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not failed within 60 s: " + status);
    }

    private static String chunk(String url) {
        return "{\"id\": \"" + ID + "\", \"dataset_id\": \"" + DATASET + "\", \"block_range\": {\"start\": 0, "
                + "\"end\": 100}, \"files\": {\"blocks\": \"" + url + "\"}}";
    }

    private static AdminHttp.Reply post(AdminHttp http, String path, String body) {
        return send(http, "POST", path, body);
    }

    private static AdminHttp.Reply send(AdminHttp http, String method, String path, String body) {
        return http.send(method, path, body);
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = WorkerCommand.run(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }
}
