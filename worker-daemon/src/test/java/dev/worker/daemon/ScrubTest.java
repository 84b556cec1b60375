package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import dev.worker.daemon.cli.WorkerCommand;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.DaemonProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrubbing: {@code POST /v1/chunks/{id}/verify}, {@code worker chunk verify} and {@code serve --verify-on-start}
 * find a chunk whose stored bytes were damaged, withdraw it and download it anew.
 */
@Timeout(120)
final class ScrubTest {
    @TempDir
    Path dir;
    private TestStorage storage;
    private Daemon daemon;
    private AdminHttp http;

    private void start() throws Exception {
        storage = new TestStorage();
        daemon = RealCore.startDaemon(dir.resolve("data"));
        http = new AdminHttp(daemon.url());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            assertThat(daemon.ready().get().stats().refsActive()).as("open refs at the end of the test").isZero();
            daemon.close();
        }
        if (http != null) {
            http.close();
        }
        if (storage != null) {
            storage.close();
        }
    }

    private static JsonNode awaitState(AdminHttp client, ChunkId id, String state) throws InterruptedException {
        return client.awaitState(id.toString(), state, Duration.ofSeconds(60)).orElseThrow();
    }

    private Path readyChunk(ChunkDescriptor chunk) throws InterruptedException {
        assertThat(http.post("/v1/chunks", ChunkDescriptorJson.toJson(chunk)).status()).isEqualTo(202);
        return Path.of(awaitState(http, chunk.id(), "ready").get("path").asText());
    }

    /** Flips every bit of one byte in place: same size, different content, as a bad sector or a stray write. */
    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, offset);
            one.put(0, (byte) ~one.get(0)).rewind();
            ch.write(one, offset);
        }
    }

    private record Run(int code, String out, String err) {
    }

    private Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = WorkerCommand.run(args, Map.of("WORKER_URL", daemon.url().toString()), new PrintWriter(out),
                new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void verify_ofAnIntactChunk_isOk() throws Exception {
        start();
        ChunkDescriptor a = storage.chunk("intact", "eth", 0, 100, 2, 50_000);
        readyChunk(a);
        AdminHttp.Reply r = http.post("/v1/chunks/" + a.id() + "/verify", "");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"id\":\"" + a.id() + "\",\"result\":\"ok\",\"problem\":null}");
        assertThat(http.get("/v1/datasets/" + a.datasetId() + "/blocks/50").status()).isEqualTo(200);
    }

    @Test
    void verify_ofAFlippedByte_reportsCorrupt_withdrawsTheChunk_andDownloadsItAnew() throws Exception {
        start();
        ChunkDescriptor a = storage.chunk("flipped", "eth", 0, 100, 3, 100_000);
        Path path = readyChunk(a);
        flipByte(path.resolve("f1.bin"), 12_345);
        storage.hold(); // the new download waits, so the withdrawn state can be seen

        AdminHttp.Reply r = http.post("/v1/chunks/" + a.id() + "/verify", "");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("result").asText()).isEqualTo("corrupt");
        assertThat(r.json().get("problem").asText()).contains("f1.bin").contains("sha256");
        assertThat(http.get("/v1/datasets/" + a.datasetId() + "/blocks/50").status()).isEqualTo(404);
        assertThat(http.get("/v1/chunks?state=ready").json().get("chunks")).isEmpty();
        assertThat(http.get("/v1/chunks/" + a.id()).json().get("state").asText()).isIn("queued", "downloading");

        storage.release();
        Path again = Path.of(awaitState(http, a.id(), "ready").get("path").asText());
        for (String file : a.files().keySet()) {
            assertThat(java.nio.file.Files.readAllBytes(again.resolve(file))).as(file)
                    .isEqualTo(storage.content("flipped", file));
        }
        assertThat(http.post("/v1/chunks/" + a.id() + "/verify", "").json().get("result").asText()).isEqualTo("ok");
    }

    @Test
    void verify_ofUnknownNotReadyAndMalformedIds() throws Exception {
        start();
        ChunkDescriptor pending = storage.chunk("pending", "eth", 0, 100, 1, 1000);
        storage.hold();
        http.post("/v1/chunks", ChunkDescriptorJson.toJson(pending));
        AdminHttp.Reply notReady = http.post("/v1/chunks/" + pending.id() + "/verify", "");
        assertThat(notReady.status()).isEqualTo(200);
        assertThat(notReady.json().get("result").asText()).isEqualTo("not_ready");
        assertThat(notReady.json().get("problem").isNull()).isTrue();

        AdminHttp.Reply unknown = http.post("/v1/chunks/" + "ab".repeat(32) + "/verify", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("not_found");
        assertThat(http.post("/v1/chunks/xyz/verify", "").errorCode()).isEqualTo("invalid_request");
        assertThat(http.post("/v1/chunks/" + pending.id() + "/verify?x=1", "").errorCode())
                .isEqualTo("invalid_request");
        AdminHttp.Reply wrongMethod = http.get("/v1/chunks/" + pending.id() + "/verify");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.header("Allow")).hasValue("POST");
        storage.release();
        awaitState(http, pending.id(), "ready");
    }

    @Test
    void cliVerifyAll_printsALinePerChunkAndASummary_andExits1OnCorruption() throws Exception {
        start();
        ChunkDescriptor a = storage.chunk("cli-a", "eth", 0, 100, 1, 20_000);
        ChunkDescriptor b = storage.chunk("cli-b", "eth", 100, 200, 2, 20_000);
        readyChunk(a);
        Path bPath = readyChunk(b);

        Run clean = cli("chunk", "verify", "--all");
        assertThat(clean.code()).as(clean.err()).isZero();
        assertThat(clean.out()).contains("ok " + a.id()).contains("ok " + b.id())
                .contains("verified 2 chunk(s): 2 ok, 0 corrupt, 0 not ready");

        flipByte(bPath.resolve("f0.bin"), 0);
        storage.hold();
        Run dirty = cli("chunk", "verify", "--all");
        assertThat(dirty.code()).isEqualTo(1);
        assertThat(dirty.out()).contains("ok " + a.id()).contains("corrupt " + b.id() + ": file f0.bin")
                .contains("verified 2 chunk(s): 1 ok, 1 corrupt, 0 not ready");
        storage.release();
        awaitState(http, b.id(), "ready");

        Run json = cli("chunk", "verify", "--json", a.id().toString().substring(0, 10), b.id().toString());
        assertThat(json.code()).as(json.err()).isZero();
        JsonNode doc = ChunkDescriptorJson.MAPPER.readTree(json.out());
        assertThat(doc.get("results")).hasSize(2);
        assertThat(doc.get("ok").asInt()).isEqualTo(2);
        assertThat(doc.get("corrupt").asInt()).isZero();

        Run usage = cli("chunk", "verify");
        assertThat(usage.code()).isEqualTo(2);
        Run unknown = cli("chunk", "verify", "cd".repeat(32));
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("not_found");
    }

    @Test
    void serveVerifyOnStart_trashesACorruptChunk_andDownloadsItAgain() throws Exception {
        Path data = dir.resolve("data");
        try (TestStorage store = new TestStorage()) {
            ChunkDescriptor a = store.chunk("on-start", "eth", 0, 100, 2, 64 * 1024);
            Path chunkDir;
            try (DaemonProcess first = DaemonProcess.serve(data); AdminHttp client = new AdminHttp(first.url())) {
                first.awaitReady(client);
                assertThat(client.post("/v1/chunks", ChunkDescriptorJson.toJson(a)).status()).isEqualTo(202);
                chunkDir = Path.of(awaitState(client, a.id(), "ready").get("path").asText());
                assertThat(first.terminate()).isZero();
            }
            flipByte(chunkDir.resolve("f1.bin"), 100);
            try (DaemonProcess second = DaemonProcess.serve(data, "--verify-on-start");
                    AdminHttp client = new AdminHttp(second.url())) {
                second.awaitReady(client);
                Path again = Path.of(awaitState(client, a.id(), "ready").get("path").asText());
                assertThat(java.nio.file.Files.readAllBytes(again.resolve("f1.bin")))
                        .isEqualTo(store.content("on-start", "f1.bin"));
                assertThat(client.post("/v1/chunks/" + a.id() + "/verify", "").json().get("result").asText())
                        .isEqualTo("ok");
                assertThat(second.terminate()).isZero();
                assertThat(String.join("\n", second.stdout())).contains(a.id().toString());
            }
        }
    }
}
