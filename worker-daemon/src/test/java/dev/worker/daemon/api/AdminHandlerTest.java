package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkState;
import dev.worker.core.TestChunks;
import dev.worker.daemon.FakeDataManager;
import dev.worker.daemon.lease.LeaseManager;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin API's routing, errors, limits and connection handling, on an embedded channel (no sockets). */
@Timeout(30)
final class AdminHandlerTest {
    private static final ChunkDescriptor A = TestChunks.descriptor("a", "eth", 100, 200);
    private static final ChunkDescriptor B = TestChunks.descriptor("b", "eth", 200, 300);
    private static final String ETH = TestChunks.datasetId("eth").toString();
    private static final String JSON_TYPE = "Content-Type: application/json\r\n";

    private final ApiFixture fixture = new ApiFixture(10);
    private final FakeDataManager manager = fixture.manager;
    private final LeaseManager leases = fixture.leases;
    private final EmbeddedAdmin admin = fixture.admin(BearerAuth.none());

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private static String json(ChunkDescriptor d) {
        return ChunkDescriptorJson.toJson(d);
    }

    // ---- health ----------------------------------------------------------------------------------------------

    @Test
    void healthLive_answers200_evenWhileStarting() {
        admin.context.setState(new ServiceState.Starting());
        EmbeddedAdmin.Response r = admin.get("/health/live");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("live");
    }

    @Test
    void healthReady_is503NotReady_whileStarting_then200() {
        admin.context.setState(new ServiceState.Starting());
        EmbeddedAdmin.Response starting = admin.get("/health/ready");
        assertThat(starting.status()).isEqualTo(503);
        assertThat(starting.errorCode()).isEqualTo("not_ready");

        admin.context.setState(new ServiceState.Running(manager, leases));
        assertThat(admin.get("/health/ready").status()).isEqualTo(200);

        admin.context.setState(new ServiceState.Stopping());
        EmbeddedAdmin.Response stopping = admin.get("/health/ready");
        assertThat(stopping.status()).isEqualTo(503);
        assertThat(stopping.errorCode()).isEqualTo("unavailable");
    }

    @Test
    void chunkEndpoints_whileStarting_answer503NotReady_andChangeNothing() {
        admin.context.setState(new ServiceState.Starting());
        EmbeddedAdmin.Response r = admin.send("POST", "/v1/chunks", json(A));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.errorCode()).isEqualTo("not_ready");
        assertThat(admin.get("/v1/chunks").errorCode()).isEqualTo("not_ready");
        assertThat(manager.intents.get()).isZero();
    }

    // ---- chunks ----------------------------------------------------------------------------------------------

    @Test
    void postChunk_valid_answers202WithQueuedStatus() {
        EmbeddedAdmin.Response r = admin.send("POST", "/v1/chunks", json(A));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        JsonNode s = r.json();
        assertThat(s.get("id").asText()).isEqualTo(A.id().toString());
        assertThat(s.get("dataset_id").asText()).isEqualTo(A.datasetId().toString());
        assertThat(s.get("block_range").get("start").asLong()).isEqualTo(100);
        assertThat(s.get("block_range").get("end").asLong()).isEqualTo(200);
        assertThat(s.get("state").asText()).isEqualTo("queued");
        assertThat(s.get("bytes_done").asLong()).isZero();
        assertThat(s.get("attempts").asInt()).isZero();
        assertThat(s.get("last_error").isNull()).isTrue();
        assertThat(s.get("refs").asInt()).isZero();
        assertThat(s.has("path")).isFalse();
        assertThat(manager.status(A.id())).isPresent();
    }

    @Test
    void postChunk_answersOnlyAfterTheIntentIsDurable() {
        manager.journal(FakeDataManager.Journal.HOLD);
        admin.write(request("POST", "/v1/chunks", json(A)));
        admin.assertNoResponse();
        manager.releaseHeldIntents();
        assertThat(admin.response().status()).isEqualTo(202);
    }

    @Test
    void postChunk_whenTheJournalFails_answers503Unavailable() {
        manager.journal(FakeDataManager.Journal.FAIL);
        EmbeddedAdmin.Response r = admin.send("POST", "/v1/chunks", json(A));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.errorCode()).isEqualTo("unavailable");
        assertThat(r.errorMessage()).contains("journal");
    }

    @Test
    void postChunk_afterManagerShutdown_answers503Unavailable() {
        manager.shutdown();
        EmbeddedAdmin.Response r = admin.send("POST", "/v1/chunks", json(A));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.errorCode()).isEqualTo("unavailable");
    }

    @Test
    void postChunk_malformedJson_is400InvalidJson_andChangesNothing() {
        for (String body : new String[] {"{", "", "not json", "{\"id\": 1}}", "[1,2", "{\"a\":1,\"a\":2}",
                "\u00ff\u00fe"}) {
            EmbeddedAdmin.Response r = admin.send("POST", "/v1/chunks", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.errorCode()).as(body).isEqualTo("invalid_json");
        }
        assertThat(manager.intents.get()).isZero();
        assertThat(manager.statuses()).isEmpty();
    }

    @Test
    void postChunk_invalidDescriptors_are400InvalidRequest_namingTheField() {
        String good = json(A);
        String[][] cases = {
                {good.replace(A.id().toString(), "zz"), "id"},
                {good.replace(A.id().toString(), A.id().toString().substring(2) + "xy"), "id"},
                {good.replace("\"start\":100", "\"start\":\"100\""), "block_range.start"},
                {good.replace("\"start\":100", "\"start\":300"), "block_range"},
                {good.replace("\"start\":100", "\"start\":-1"), "block_range"},
                {good.replace("\"start\":100", "\"start\":99999999999999999999999"), "block_range.start"},
                {good.replace("\"data.bin\"", "\"../etc/passwd\""), "files"},
                {good.replace("\"data.bin\"", "\"a/b\""), "files"},
                {good.replace("\"data.bin\"", "\"..\""), "files"},
                {good.replace("http://", "ftp://"), "http"},
                {good.replace("http://", "file://"), "http"},
                {good.replace("{\"id\"", "{\"extra\":1,\"id\""), "extra"},
                {"[]", "chunk descriptor"},
                {"{}", "id"},
        };
        for (String[] c : cases) {
            EmbeddedAdmin.Response r = admin.send("POST", "/v1/chunks", c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.errorCode()).as(c[0]).isEqualTo("invalid_request");
            assertThat(r.errorMessage()).as(c[0]).contains(c[1]);
        }
        assertThat(manager.intents.get()).isZero();
    }

    @Test
    void postChunk_conflictingDescriptor_is409() {
        assertThat(admin.send("POST", "/v1/chunks", json(A)).status()).isEqualTo(202);
        ChunkDescriptor other = ChunkDescriptor.of(A.id(), A.datasetId(), B.range(), A.files());
        EmbeddedAdmin.Response r = admin.send("POST", "/v1/chunks", json(other));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("conflict");
        assertThat(manager.status(A.id()).orElseThrow().descriptor()).isEqualTo(A);
    }

    @Test
    void listChunks_filtersByStateAndDataset() {
        admin.send("POST", "/v1/chunks", json(A));
        admin.send("POST", "/v1/chunks", json(B));
        ChunkDescriptor other = TestChunks.descriptor("c", "btc", 0, 10);
        admin.send("POST", "/v1/chunks", json(other));
        manager.makeReady(A.id(), Path.of("/data/chunks/a"));

        assertThat(admin.get("/v1/chunks").json().get("chunks")).hasSize(3);
        JsonNode ready = admin.get("/v1/chunks?state=ready").json().get("chunks");
        assertThat(ready).hasSize(1);
        assertThat(ready.get(0).get("path").asText()).isEqualTo(Path.of("/data/chunks/a").toAbsolutePath().toString());
        assertThat(admin.get("/v1/chunks?state=queued&dataset_id=" + ETH).json().get("chunks")).hasSize(1);
        assertThat(admin.get("/v1/chunks?dataset_id=" + ETH.toUpperCase()).json().get("chunks")).hasSize(2);
    }

    @Test
    void listChunks_badFilters_are400() {
        assertThat(admin.get("/v1/chunks?state=bogus").errorCode()).isEqualTo("invalid_request");
        assertThat(admin.get("/v1/chunks?dataset_id=abc").errorCode()).isEqualTo("invalid_request");
        assertThat(admin.get("/v1/chunks?limit=3").errorMessage()).contains("unknown query parameter limit");
        assertThat(admin.get("/v1/chunks?state=ready&state=queued").status()).isEqualTo(400);
    }

    @Test
    void getChunk_unknown_is404_andBadId_is400() {
        EmbeddedAdmin.Response unknown = admin.get("/v1/chunks/" + A.id());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("not_found");
        assertThat(admin.get("/v1/chunks/xyz").errorCode()).isEqualTo("invalid_request");
        admin.send("POST", "/v1/chunks", json(A));
        assertThat(admin.get("/v1/chunks/" + A.id()).json().get("state").asText()).isEqualTo("queued");
    }

    @Test
    void deleteChunk_unknown_answers202Absent() {
        EmbeddedAdmin.Response r = admin.delete("/v1/chunks/" + A.id());
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().get("id").asText()).isEqualTo(A.id().toString());
        assertThat(r.json().get("state").asText()).isEqualTo("absent");
    }

    @Test
    void deleteChunk_known_removesIt() {
        admin.send("POST", "/v1/chunks", json(A));
        EmbeddedAdmin.Response r = admin.delete("/v1/chunks/" + A.id());
        assertThat(r.status()).isEqualTo(202);
        assertThat(manager.status(A.id())).isEmpty();
    }

    // ---- assignment ------------------------------------------------------------------------------------------

    @Test
    void putAssignment_replacesTheDesiredSet_andCounts() {
        admin.send("POST", "/v1/chunks", json(A));
        EmbeddedAdmin.Response r = admin.send("PUT", "/v1/assignment", "{\"chunks\": [" + json(B) + "]}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("download").asInt()).isEqualTo(1);
        assertThat(r.json().get("delete").asInt()).isEqualTo(1);
        assertThat(r.json().get("keep").asInt()).isZero();
        assertThat(manager.statuses()).extracting(s -> s.id()).containsExactly(B.id());
    }

    @Test
    void putAssignment_badBodies_are400_andChangeNothing() {
        admin.send("POST", "/v1/chunks", json(A));
        int before = manager.intents.get();
        String[][] cases = {
                {"{\"chunks\": [" + json(B).replace("http://", "ftp://") + "]}", "invalid_request", "chunks[0]"},
                {"{\"chunks\": [" + json(B) + ", {}]}", "invalid_request", "chunks[1].id"},
                {"{\"chunks\": {}}", "invalid_request", "array"},
                {"{\"chunk\": []}", "invalid_request", "unknown field"},
                {"{}", "invalid_request", "chunks is missing"},
                {"[]", "invalid_request", "object"},
                {"{\"chunks\": [", "invalid_json", "malformed"},
                {"{\"chunks\": []} x", "invalid_json", "malformed"},
                {"", "invalid_json", "empty"},
                {"{\"chunks\": [" + json(B) + ","
                        + json(ChunkDescriptor.of(B.id(), B.datasetId(), A.range(), B.files())) + "]}",
                        "invalid_request", "twice"},
        };
        for (String[] c : cases) {
            EmbeddedAdmin.Response r = admin.send("PUT", "/v1/assignment", c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.errorCode()).as(c[0]).isEqualTo(c[1]);
            assertThat(r.errorMessage()).as(c[0]).contains(c[2]);
        }
        assertThat(manager.intents.get()).isEqualTo(before);
        assertThat(manager.statuses()).extracting(s -> s.id()).containsExactly(A.id());
    }

    @Test
    void putAssignment_conflict_is409() {
        admin.send("POST", "/v1/chunks", json(A));
        ChunkDescriptor other = ChunkDescriptor.of(A.id(), A.datasetId(), B.range(), A.files());
        EmbeddedAdmin.Response r = admin.send("PUT", "/v1/assignment", "{\"chunks\": [" + json(other) + "]}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("conflict");
    }

    // ---- find and leases -------------------------------------------------------------------------------------

    @Test
    void findBlock_readyChunk_answersStatusAndPath_andHoldsNoRef() {
        admin.send("POST", "/v1/chunks", json(A));
        manager.makeReady(A.id(), Path.of("/data/chunks/a"));
        EmbeddedAdmin.Response r = admin.get("/v1/datasets/" + ETH + "/blocks/150");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("chunk").get("id").asText()).isEqualTo(A.id().toString());
        assertThat(r.json().get("path").asText()).isEqualTo(Path.of("/data/chunks/a").toAbsolutePath().toString());
        assertThat(manager.openRefs()).isZero();
    }

    @Test
    void findBlock_notCovered_is404_andBadInput_is400() {
        admin.send("POST", "/v1/chunks", json(A));
        manager.makeReady(A.id(), Path.of("/data/chunks/a"));
        assertThat(admin.get("/v1/datasets/" + ETH + "/blocks/200").status()).isEqualTo(404);
        assertThat(admin.get("/v1/datasets/" + ETH + "/blocks/-1").status()).isEqualTo(400);
        assertThat(admin.get("/v1/datasets/" + ETH + "/blocks/1e3").status()).isEqualTo(400);
        assertThat(admin.get("/v1/datasets/" + ETH + "/blocks/99999999999999999999").status()).isEqualTo(400);
        assertThat(admin.get("/v1/datasets/nothex/blocks/1").status()).isEqualTo(400);
    }

    @Test
    void leases_holdTheChunk_untilReleased() {
        admin.send("POST", "/v1/chunks", json(A));
        manager.makeReady(A.id(), Path.of("/data/chunks/a"));
        EmbeddedAdmin.Response created = admin.send("POST", "/v1/leases",
                "{\"dataset_id\":\"" + ETH + "\",\"block\":120,\"ttl_seconds\":60}");
        assertThat(created.status()).isEqualTo(201);
        String leaseId = created.json().get("lease_id").asText();
        assertThat(leaseId).matches("[0-9a-f]{32}");
        assertThat(created.json().get("chunk").get("refs").asInt()).isEqualTo(1);
        assertThat(created.json().get("path").asText()).endsWith("a");
        assertThat(created.json().get("expires_at").asText())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");

        admin.delete("/v1/chunks/" + A.id());
        assertThat(manager.status(A.id()).orElseThrow().state()).isEqualTo(ChunkState.REMOVING);
        assertThat(admin.delete("/v1/leases/" + leaseId).status()).isEqualTo(204);
        assertThat(manager.status(A.id())).isEmpty();
        EmbeddedAdmin.Response again = admin.delete("/v1/leases/" + leaseId);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.errorCode()).isEqualTo("not_found");
    }

    @Test
    void leases_badRequests_are400_404_or429() {
        admin.send("POST", "/v1/chunks", json(A));
        manager.makeReady(A.id(), Path.of("/data/chunks/a"));
        assertThat(admin.send("POST", "/v1/leases", "{\"dataset_id\":\"" + ETH + "\",\"block\":120,\"ttl_seconds\":0}")
                .errorMessage()).contains("ttl_seconds");
        assertThat(admin.send("POST", "/v1/leases",
                "{\"dataset_id\":\"" + ETH + "\",\"block\":120,\"ttl_seconds\":3601}")
                .status()).isEqualTo(400);
        assertThat(admin.send("POST", "/v1/leases", "{\"dataset_id\":\"" + ETH + "\",\"block\":\"1\"}")
                .errorMessage()).contains("block");
        assertThat(admin.send("POST", "/v1/leases", "{\"dataset_id\":\"" + ETH + "\",\"block\":1,\"x\":1}")
                .errorMessage()).contains("unknown field x");
        assertThat(admin.send("POST", "/v1/leases", "{\"dataset_id\":\"" + ETH + "\",\"block\":5}").status())
                .isEqualTo(404);
        assertThat(admin.delete("/v1/leases/nothex").status()).isEqualTo(400);
        for (int i = 0; i < 10; i++) {
            assertThat(admin.send("POST", "/v1/leases", "{\"dataset_id\":\"" + ETH + "\",\"block\":120}").status())
                    .isEqualTo(201);
        }
        EmbeddedAdmin.Response full = admin.send("POST", "/v1/leases",
                "{\"dataset_id\":\"" + ETH + "\",\"block\":120}");
        assertThat(full.status()).isEqualTo(429);
        assertThat(full.errorCode()).isEqualTo("too_many_leases");
        assertThat(leases.active()).isEqualTo(10);
    }

    // ---- routing and protocol --------------------------------------------------------------------------------

    @Test
    void unknownPath_is404_andWrongMethod_is405WithAllow() {
        EmbeddedAdmin.Response unknown = admin.get("/v2/nothing");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("not_found");
        assertThat(admin.get("/v1/chunks/").status()).isEqualTo(404);

        EmbeddedAdmin.Response wrong = admin.send("PATCH /v1/chunks HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.errorCode()).isEqualTo("method_not_allowed");
        assertThat(wrong.header("allow")).isEqualTo("POST, GET");
        assertThat(admin.send("PUT /v1/chunks/" + A.id() + " HTTP/1.1\r\nHost: localhost\r\n\r\n").header("allow"))
                .isEqualTo("GET, DELETE");
    }

    @Test
    void badUrlEncoding_is400() {
        EmbeddedAdmin.Response r = admin.get("/v1/chunks/%zz");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_request");
        assertThat(admin.get("/v1/chunks?state=%").status()).isEqualTo(400);
        assertThat(admin.get("/v1/chunks/..%2F..%2Fetc").status()).isEqualTo(400);
    }

    @Test
    void hugeHeaders_are431_andHugeUri_is414_thenTheConnectionCloses() {
        EmbeddedAdmin.Response r = admin.send("GET /v1/chunks HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                + "a".repeat(20_000)
                + "\r\n\r\n");
        assertThat(r.status()).isEqualTo(431);
        assertThat(r.errorCode()).isEqualTo("headers_too_large");
        assertThat(admin.channel.isOpen()).isFalse();

        try (EmbeddedAdmin other = new EmbeddedAdmin(admin.context)) {
            EmbeddedAdmin.Response uri = other.get("/v1/chunks/" + "a".repeat(10_000));
            assertThat(uri.status()).isEqualTo(414);
            assertThat(uri.errorCode()).isEqualTo("uri_too_long");
        }
    }

    @Test
    void garbageRequest_is400_andTheDaemonKeepsServing() {
        EmbeddedAdmin.Response r = admin.send("\u0001\u0002 nonsense\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        try (EmbeddedAdmin other = new EmbeddedAdmin(admin.context)) {
            assertThat(other.get("/health/live").status()).isEqualTo(200);
        }
    }

    @Test
    void bodyOverTheLimit_withContentLength_is413_andTheConnectionStaysUsable() {
        String big = "{\"x\":\"" + "a".repeat(ApiLimits.MIB) + "\"}";
        EmbeddedAdmin.Response r = admin.send("POST", "/v1/chunks", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errorCode()).isEqualTo("payload_too_large");
        assertThat(admin.channel.isOpen()).isTrue();
        assertThat(admin.get("/health/live").status()).isEqualTo(200);
        assertThat(manager.intents.get()).isZero();
    }

    @Test
    void chunkedBodyOverTheLimit_is413_andCloses() {
        admin.write("POST /v1/chunks HTTP/1.1\r\nHost: localhost\r\n" + JSON_TYPE
                + "Transfer-Encoding: chunked\r\n\r\n");
        String piece = "a".repeat(64 * 1024);
        for (int i = 0; i < 20 && admin.outboundSoFar().isEmpty(); i++) {
            admin.write(Integer.toHexString(piece.length()) + "\r\n" + piece + "\r\n");
        }
        EmbeddedAdmin.Response r = admin.response();
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(admin.channel.isOpen()).isFalse();
    }

    @Test
    void assignmentBody_mayExceedTheSingleChunkLimit_upToItsOwn() {
        StringBuilder body = new StringBuilder("{\"chunks\": [");
        int n = 6000;
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append(json(TestChunks.descriptor("c" + i, "eth", i * 10L, i * 10L + 10)));
        }
        body.append("]}");
        assertThat(body.length()).isGreaterThan(ApiLimits.MIB);
        EmbeddedAdmin.Response r = admin.send("PUT", "/v1/assignment", body.toString());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("download").asInt()).isEqualTo(n);
    }

    @Test
    void expectContinue_accepted_gets100ThenTheAnswer_refused_gets413AndClose() {
        String body = json(A);
        admin.write("POST /v1/chunks HTTP/1.1\r\nHost: localhost\r\n" + JSON_TYPE + "Expect: 100-continue\r\n"
                + "Content-Length: "
                + body.length() + "\r\n\r\n");
        assertThat(admin.response().status()).isEqualTo(100);
        admin.write(body);
        assertThat(admin.response().status()).isEqualTo(202);

        EmbeddedAdmin.Response refused = admin.send("POST /v1/chunks HTTP/1.1\r\nHost: localhost\r\n" + JSON_TYPE
                + "Expect: 100-continue\r\n"
                + "Content-Length: 5000000\r\n\r\n");
        assertThat(refused.status()).isEqualTo(413);
        assertThat(admin.channel.isOpen()).isFalse();
    }

    @Test
    void keepAlive_servesPipelinedRequestsInOrder() {
        manager.journal(FakeDataManager.Journal.HOLD);
        // A slow intent first, then a fast read: the read's answer must wait for the intent's.
        admin.write(request("POST", "/v1/chunks", json(A)) + "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /v1/chunks/" + A.id() + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        admin.assertNoResponse();
        manager.releaseHeldIntents();
        assertThat(admin.response().status()).isEqualTo(202);
        assertThat(admin.response().status()).isEqualTo(200);
        assertThat(admin.response().json().get("id").asText()).isEqualTo(A.id().toString());
        assertThat(admin.channel.isOpen()).isTrue();
        assertThat(admin.inFlight.count()).isZero();
    }

    @Test
    void http10WithoutKeepAlive_closesAfterTheAnswer() {
        EmbeddedAdmin.Response r = admin.send("GET /health/live HTTP/1.0\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(admin.channel.isOpen()).isFalse();
    }

    @Test
    void connectionClose_isHonoured() {
        EmbeddedAdmin.Response r = admin.get("/health/live", "Connection: close");
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(admin.channel.isOpen()).isFalse();
    }

    @Test
    void idleConnection_isClosedAfterTheIdleTimeout() {
        assertThat(admin.get("/health/live").status()).isEqualTo(200);
        admin.channel.advanceTimeBy(61, TimeUnit.SECONDS);
        admin.channel.runPendingTasks();
        assertThat(admin.channel.isOpen()).isFalse();
    }

    @Test
    void tricklingHeaders_get408_afterTheHeaderTimeout() {
        admin.write("GET /v1/chu");
        admin.channel.advanceTimeBy(5, TimeUnit.SECONDS);
        admin.write("nks HTTP/1.1\r\nX-A: 1\r\n");
        admin.channel.advanceTimeBy(6, TimeUnit.SECONDS);
        admin.channel.runPendingTasks();
        EmbeddedAdmin.Response r = admin.response();
        assertThat(r.status()).isEqualTo(408);
        assertThat(r.errorCode()).isEqualTo("request_timeout");
        assertThat(admin.channel.isOpen()).isFalse();
    }

    @Test
    void stalledBody_gets408() {
        admin.write("POST /v1/chunks HTTP/1.1\r\nHost: localhost\r\n" + JSON_TYPE
                + "Content-Length: 100\r\n\r\n{\"id\"");
        admin.channel.advanceTimeBy(61, TimeUnit.SECONDS);
        admin.channel.runPendingTasks();
        EmbeddedAdmin.Response r = admin.response();
        assertThat(r.status()).isEqualTo(408);
        assertThat(admin.channel.isOpen()).isFalse();
        assertThat(admin.inFlight.count()).isZero();
    }

    @Test
    void metrics_servePrometheusText() {
        EmbeddedAdmin.Response r = admin.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("text/plain");
        assertThat(r.body()).contains("worker_up 1");
    }

    @Test
    void drain_closesAnIdleConnection_andFinishesABusyOneFirst() {
        manager.journal(FakeDataManager.Journal.HOLD);
        admin.write(request("POST", "/v1/chunks", json(A)));
        admin.channel.pipeline().fireUserEventTriggered(RequestGate.DRAIN);
        admin.channel.runPendingTasks();
        assertThat(admin.channel.isOpen()).isTrue();
        manager.releaseHeldIntents();
        EmbeddedAdmin.Response r = admin.response();
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(admin.channel.isOpen()).isFalse();
    }

    static String request(String method, String path, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + JSON_TYPE + "Content-Length: "
                + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }
}
