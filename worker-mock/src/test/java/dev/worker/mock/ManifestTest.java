package dev.worker.mock;

import static dev.worker.mock.TestSupport.get;
import static dev.worker.mock.TestSupport.getText;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.DatasetId;
import dev.worker.core.FileSource;
import java.net.URI;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

final class ManifestTest {
    @Test
    void manifest_parsesWithTheCoreParser_andEqualsTheLibraryManifest() throws Exception {
        try (MockStorage storage = MockStorage.start(TestSupport.smallSet().build())) {
            HttpResponse<String> response = getText(storage.manifestUrl());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(parse(response.body())).isEqualTo(storage.manifest());
            assertThat(storage.manifest()).hasSize(4);
        }
    }

    @Test
    void manifest_head_declaresTheLengthOfTheBody() throws Exception {
        try (MockStorage storage = MockStorage.start(TestSupport.smallSet().build())) {
            HttpResponse<byte[]> head = TestSupport.send("HEAD", storage.manifestUrl());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValueAsLong("content-length"))
                    .hasValue(get(storage.manifestUrl()).body().length);
        }
    }

    @Test
    void manifest_sizesAndChecksums_matchTheServedBytes() throws Exception {
        try (MockStorage storage = MockStorage.start(TestSupport.smallSet().build())) {
            for (ChunkDescriptor chunk : parse(getText(storage.manifestUrl()).body())) {
                for (FileSource source : chunk.files().values()) {
                    byte[] body = get(URI.create(source.url())).body();
                    assertThat(source.size()).hasValue(body.length);
                    assertThat(source.sha256()).hasValue(
                            Bytes32.fromBytes(MessageDigest.getInstance("SHA-256").digest(body)));
                }
            }
        }
    }

    @Test
    void manifest_hasUniqueIds_andConsecutiveRangesPerDataset() throws Exception {
        try (MockStorage storage = MockStorage.start(TestSupport.smallSet().chunks(30).datasets(3).build())) {
            List<ChunkDescriptor> chunks = parse(getText(storage.manifestUrl()).body());
            assertThat(chunks).extracting(ChunkDescriptor::id).doesNotHaveDuplicates().hasSize(30);
            Map<DatasetId, List<ChunkDescriptor>> byDataset = chunks.stream()
                    .collect(Collectors.groupingBy(ChunkDescriptor::datasetId));
            assertThat(byDataset).hasSize(3);
            byDataset.values().forEach(list -> {
                List<ChunkDescriptor> sorted = new ArrayList<>(list);
                sorted.sort(Comparator.comparingLong(d -> d.range().start()));
                for (int i = 1; i < sorted.size(); i++) {
                    assertThat(sorted.get(i).range().start()).isEqualTo(sorted.get(i - 1).range().end());
                }
            });
            List<String> urls = chunks.stream().flatMap(c -> c.files().values().stream()).map(FileSource::url)
                    .toList();
            assertThat(urls).doesNotHaveDuplicates().allSatisfy(u -> assertThat(u)
                    .startsWith(storage.baseUrl().toString()));
        }
    }

    @Test
    void manifest_withoutChecksums_keepsSizes_andOmitsSha256() throws Exception {
        try (MockStorage storage = MockStorage.start(TestSupport.smallSet().checksums(false).build())) {
            String body = getText(storage.manifestUrl()).body();
            assertThat(body).doesNotContain("sha256");
            assertThat(parse(body)).allSatisfy(chunk -> assertThat(chunk.files().values()).allSatisfy(source -> {
                assertThat(source.size()).isPresent();
                assertThat(source.sha256()).isEmpty();
            }));
        }
    }

    @Test
    void manifest_andStats_areNeverFaulted() throws Exception {
        FaultConfig everything = FaultConfig.builder().errorRate(1).resetRate(1).latency(java.time.Duration.ofSeconds(
                30)).notFound(List.of(StorageHandler.MANIFEST_PATH, StorageHandler.STATS_PATH)).build();
        try (MockStorage storage = MockStorage.start(TestSupport.smallSet().faults(everything).build())) {
            assertThat(getText(storage.manifestUrl()).statusCode()).isEqualTo(200);
            assertThat(getText(storage.statsUrl()).statusCode()).isEqualTo(200);
            assertThat(storage.stats().faults().values()).containsOnly(0L);
        }
    }

    @Test
    void manifestAsync_completesWithTheSameDescriptors() throws Exception {
        try (MockStorage storage = MockStorage.start(TestSupport.smallSet().build())) {
            assertThat(storage.manifestAsync().get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isEqualTo(storage.manifest());
        }
    }

    private static List<ChunkDescriptor> parse(String body) {
        JsonNode root = ChunkDescriptorJson.readTree(body);
        assertThat(root.properties()).extracting(Map.Entry::getKey).containsExactly("chunks");
        List<ChunkDescriptor> chunks = new ArrayList<>();
        for (int i = 0; i < root.get("chunks").size(); i++) {
            chunks.add(ChunkDescriptorJson.parse(root.get("chunks").get(i), "chunks[" + i + "]."));
        }
        return chunks;
    }
}
