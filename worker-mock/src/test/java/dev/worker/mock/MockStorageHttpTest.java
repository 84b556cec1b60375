package dev.worker.mock;

import static dev.worker.mock.TestSupport.get;
import static dev.worker.mock.TestSupport.send;
import static dev.worker.testkit.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.testkit.RawHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The storage as an HTTP file server: bodies, ranges, validators, methods, connections. */
final class MockStorageHttpTest {
    private static MockStorage storage;
    private static SyntheticFile file;
    private static URI url;
    private static byte[] whole;

    @BeforeAll
    static void start() throws IOException {
        storage = MockStorage.start(TestSupport.smallSet().build());
        file = storage.chunkSet().chunks().get(1).files().get(2);
        url = storage.url(file);
        whole = storage.content().bytes(file.path(), 0, (int) file.size());
    }

    @AfterAll
    static void stop() {
        storage.close();
    }

    @Test
    void get_servesTheGeneratedBytesWithLengthAndValidators() throws Exception {
        HttpResponse<byte[]> response = get(url);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(whole);
        assertThat(response.headers().firstValueAsLong("content-length")).hasValue(file.size());
        assertThat(response.headers().firstValue("accept-ranges")).hasValue("bytes");
        assertThat(response.headers().firstValue("etag")).hasValueSatisfying(etag -> assertThat(etag)
                .matches("\"[0-9a-f]{16}\""));
        assertThat(response.headers().firstValue("last-modified")).hasValueSatisfying(date -> assertThat(date)
                .endsWith(" GMT"));
    }

    @Test
    void get_validatorsAreStableAcrossRequests_andDifferPerFile() throws Exception {
        String etag = get(url).headers().firstValue("etag").orElseThrow();
        assertThat(get(url).headers().firstValue("etag")).hasValue(etag);
        URI other = storage.url(storage.chunkSet().chunks().get(0).files().get(0));
        assertThat(get(other).headers().firstValue("etag").orElseThrow()).isNotEqualTo(etag);
    }

    @Test
    void validators_surviveARestartWithTheSameSeed_andChangeWithTheSeed() throws Exception {
        HttpResponse<byte[]> first = send("HEAD", url);
        try (MockStorage again = MockStorage.start(TestSupport.smallSet().build());
                MockStorage other = MockStorage.start(TestSupport.smallSet().seed(43).build())) {
            HttpResponse<byte[]> second = send("HEAD", again.url(file));
            assertThat(second.headers().firstValue("etag")).isEqualTo(first.headers().firstValue("etag"));
            assertThat(second.headers().firstValue("last-modified"))
                    .isEqualTo(first.headers().firstValue("last-modified"));
            SyntheticFile otherFile = other.chunkSet().chunks().get(1).files().get(2);
            HttpResponse<byte[]> third = send("HEAD", other.url(otherFile));
            assertThat(third.headers().firstValue("etag")).isNotEqualTo(first.headers().firstValue("etag"));
            assertThat(third.headers().firstValue("last-modified"))
                    .isNotEqualTo(first.headers().firstValue("last-modified"));
        }
    }

    @Test
    void range_firstToLast_returns206WithThoseBytes() throws Exception {
        HttpResponse<byte[]> response = get(url, "Range", "bytes=100-199");
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("content-range")).hasValue("bytes 100-199/" + file.size());
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(whole, 100, 200));
    }

    @Test
    void range_openEnded_returnsTheRestOfTheFile() throws Exception {
        HttpResponse<byte[]> response = get(url, "Range", "bytes=1001-");
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("content-range"))
                .hasValue("bytes 1001-" + (file.size() - 1) + "/" + file.size());
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(whole, 1001, whole.length));
    }

    @Test
    void range_suffix_returnsTheLastBytes() throws Exception {
        HttpResponse<byte[]> response = get(url, "Range", "bytes=-500");
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(whole, whole.length - 500, whole.length));
    }

    @Test
    void range_suffixLargerThanTheFile_returnsTheWholeFile() throws Exception {
        HttpResponse<byte[]> response = get(url, "Range", "bytes=-" + (file.size() * 2));
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("content-range"))
                .hasValue("bytes 0-" + (file.size() - 1) + "/" + file.size());
        assertThat(response.body()).isEqualTo(whole);
    }

    @Test
    void range_endPastTheFile_isCutAtTheEnd() throws Exception {
        HttpResponse<byte[]> response = get(url, "Range", "bytes=5-" + (file.size() + 1000));
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(whole, 5, whole.length));
    }

    @Test
    void range_startPastTheEnd_returns416WithTheSize() throws Exception {
        HttpResponse<byte[]> response = get(url, "Range", "bytes=" + file.size() + "-");
        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(response.headers().firstValue("content-range")).hasValue("bytes */" + file.size());
        assertThat(response.body()).isEmpty();
    }

    @Test
    void range_severalRanges_returns416() throws Exception {
        HttpResponse<byte[]> response = get(url, "Range", "bytes=0-9,20-29");
        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(response.headers().firstValue("content-range")).hasValue("bytes */" + file.size());
    }

    @Test
    void range_malformed_isIgnored() throws Exception {
        HttpResponse<byte[]> response = get(url, "Range", "bytes=9-1");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(whole);
    }

    @Test
    void ifRange_matchingEtag_honoursTheRange() throws Exception {
        String etag = get(url).headers().firstValue("etag").orElseThrow();
        HttpResponse<byte[]> response = get(url, "Range", "bytes=10-19", "If-Range", etag);
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(whole, 10, 20));
    }

    @Test
    void ifRange_matchingLastModified_honoursTheRange() throws Exception {
        String date = get(url).headers().firstValue("last-modified").orElseThrow();
        HttpResponse<byte[]> response = get(url, "Range", "bytes=10-19", "If-Range", date);
        assertThat(response.statusCode()).isEqualTo(206);
    }

    @Test
    void ifRange_mismatch_returnsTheWholeFileAs200() throws Exception {
        String etag = get(url).headers().firstValue("etag").orElseThrow();
        for (String validator : new String[] {"\"0000000000000000\"", "W/" + etag, "Mon, 01 Jan 1990 00:00:00 GMT",
                "garbage"}) {
            HttpResponse<byte[]> response = get(url, "Range", "bytes=10-19", "If-Range", validator);
            assertThat(response.statusCode()).as(validator).isEqualTo(200);
            assertThat(response.body()).isEqualTo(whole);
        }
    }

    @Test
    void head_returnsTheHeadersOfGet_withoutABody() throws Exception {
        try (RawHttp c = RawHttp.open(storage.baseUrl())) {
            RawHttp.Head head = c.send("HEAD", file.path()).readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.contentLength()).isEqualTo(file.size());
            assertThat(head.headers()).containsKeys("etag", "last-modified", "accept-ranges");
            RawHttp.Head ranged = c.send("HEAD", file.path(), "Range: bytes=0-9").readHead();
            assertThat(ranged.status()).as("no body came between the two heads").isEqualTo(206);
            assertThat(ranged.contentLength()).isEqualTo(10);
        }
    }

    @Test
    void keepAlive_servesSequentialRequestsOnOneConnection() throws Exception {
        long connectionsBefore = storage.stats().connections();
        try (RawHttp c = RawHttp.open(storage.baseUrl())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Head head = c.send("GET", file.path(), "Range: bytes=" + i + "-" + (i + 99)).readHead();
                assertThat(head.status()).isEqualTo(206);
                assertThat(c.readBody(head.contentLength())).isEqualTo(Arrays.copyOfRange(whole, i, i + 100));
            }
        }
        assertThat(storage.stats().connections() - connectionsBefore).isEqualTo(1);
    }

    @Test
    void pipelinedRequests_areAnsweredInOrder() throws Exception {
        try (RawHttp c = RawHttp.open(storage.baseUrl())) {
            c.sendRaw(c.request("GET", file.path(), "Range: bytes=0-9")
                    + c.request("HEAD", "/stats")
                    + c.request("GET", "/nope")
                    + c.request("GET", file.path(), "Range: bytes=10-19"));
            RawHttp.Head first = c.readHead();
            assertThat(c.readBody(first.contentLength())).isEqualTo(Arrays.copyOfRange(whole, 0, 10));
            assertThat(c.readHead().status()).isEqualTo(200);
            RawHttp.Head notFound = c.readHead();
            assertThat(notFound.status()).isEqualTo(404);
            c.readBody(notFound.contentLength());
            RawHttp.Head last = c.readHead();
            assertThat(c.readBody(last.contentLength())).isEqualTo(Arrays.copyOfRange(whole, 10, 20));
        }
    }

    @Test
    void connectionClose_closesAfterTheResponse() throws Exception {
        try (RawHttp c = RawHttp.open(storage.baseUrl())) {
            RawHttp.Head head = c.send("GET", file.path(), "Range: bytes=0-0", "Connection: close").readHead();
            assertThat(head.headers()).containsEntry("connection", "close");
            c.readBody(1);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void unknownPath_returns404() throws Exception {
        assertThat(get(storage.baseUrl().resolve("nope/blocks.parquet")).statusCode()).isEqualTo(404);
        assertThat(get(storage.baseUrl()).statusCode()).isEqualTo(404);
    }

    @Test
    void otherMethods_return405WithAllow() throws Exception {
        for (URI target : new URI[] {url, storage.manifestUrl(), storage.statsUrl()}) {
            HttpResponse<byte[]> response = send("DELETE", target);
            assertThat(response.statusCode()).as(target.toString()).isEqualTo(405);
            assertThat(response.headers().firstValue("allow")).hasValue("GET, HEAD");
        }
        assertThat(send("PUT", url).statusCode()).isEqualTo(405);
    }

    @Test
    void queryString_isIgnored() throws Exception {
        assertThat(get(URI.create(url + "?x=1")).body()).isEqualTo(whole);
    }

    @Test
    void stats_countRequestsResponsesBytesAndConnections() throws Exception {
        // A storage of its own: another test's last body bytes may still be counted after it returns.
        try (MockStorage own = MockStorage.start(TestSupport.smallSet().build())) {
            URI target = own.url(file);
            get(target);
            get(target, "Range", "bytes=0-9");
            get(target, "Range", "bytes=" + file.size() + "-");
            until("the body bytes are counted", Duration.ofSeconds(5),
                    () -> own.stats().bytesSent() >= file.size() + 10);
            MockStorageStats stats = own.stats();
            assertThat(stats.bytesSent()).isEqualTo(file.size() + 10);
            assertThat(stats.requests()).isEqualTo(3);
            assertThat(stats.responses()).containsExactly(entry(200, 1L), entry(206, 1L), entry(416, 1L));
            assertThat(stats.rangeRequests()).isEqualTo(2);
            assertThat(stats.faults().values()).containsOnly(0L);
            assertThat(stats.connections()).isEqualTo(1);
            assertThat(stats.openConnections()).isEqualTo(1);

            JsonNode json = ChunkDescriptorJson.readTree(TestSupport.getText(own.statsUrl()).body());
            assertThat(json.get("requests").asLong()).isEqualTo(4);
            assertThat(json.get("bytes_sent").asLong()).isEqualTo(file.size() + 10);
            assertThat(json.get("range_requests").asLong()).isEqualTo(2);
            assertThat(json.get("responses").get("206").asLong()).isEqualTo(1);
            assertThat(json.get("faults").get("not_found").asLong()).isZero();
            assertThat(json.get("open_connections").asLong()).isEqualTo(1);
            assertThat(json.get("connections").asLong()).isEqualTo(1);
        }
    }

    @Test
    void openConnections_dropWhenClientsClose() throws Exception {
        long before = storage.stats().openConnections();
        RawHttp c = RawHttp.open(storage.baseUrl());
        c.send("HEAD", file.path()).readHead();
        until("the connection is counted", Duration.ofSeconds(5),
                () -> storage.stats().openConnections() == before + 1);
        c.close();
        until("the connection is gone", Duration.ofSeconds(5),
                () -> storage.stats().openConnections() == before);
    }
}
