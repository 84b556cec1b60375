package dev.worker.mock;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Shared helpers of the mock's tests. */
final class TestSupport {
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private TestSupport() {
    }

    /** GET with extra headers given as name, value pairs. */
    static HttpResponse<byte[]> get(URI uri, String... headers) throws IOException, InterruptedException {
        return CLIENT.send(request(uri, headers).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<String> getText(URI uri) throws IOException, InterruptedException {
        return CLIENT.send(request(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> send(String method, URI uri, String... headers)
            throws IOException, InterruptedException {
        return CLIENT.send(request(uri, headers).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpRequest.Builder request(URI uri, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }

    static MockStorageConfig.Builder smallSet() {
        return MockStorageConfig.builder().seed(42).datasets(2).chunks(4).filesPerChunk(3).chunkSize(300_000);
    }
}
