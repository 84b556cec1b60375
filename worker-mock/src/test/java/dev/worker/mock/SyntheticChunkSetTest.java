package dev.worker.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.DatasetId;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

final class SyntheticChunkSetTest {
    private static final ChunkSetSpec SPEC = new ChunkSetSpec(11, 3, 40, 5, 1_000_000, 0);

    @Test
    void generate_sameSpec_givesTheSameSet() {
        assertThat(SyntheticChunkSet.generate(SPEC).chunks()).isEqualTo(SyntheticChunkSet.generate(SPEC).chunks());
    }

    @Test
    void generate_differentSeed_givesDifferentIdsAndDatasets() {
        SyntheticChunkSet a = SyntheticChunkSet.generate(SPEC);
        SyntheticChunkSet b = SyntheticChunkSet.generate(new ChunkSetSpec(12, 3, 40, 5, 1_000_000, 0));
        assertThat(b.datasets()).doesNotContainAnyElementsOf(a.datasets());
        assertThat(b.chunks().get(0).id()).isNotEqualTo(a.chunks().get(0).id());
    }

    @Test
    void chunks_haveUniqueIdsAndPaths() {
        SyntheticChunkSet set = SyntheticChunkSet.generate(SPEC);
        assertThat(set.chunks().stream().map(SyntheticChunk::id).distinct()).hasSize(40);
        List<String> paths = set.chunks().stream().flatMap(c -> c.files().stream()).map(SyntheticFile::path).toList();
        assertThat(paths).doesNotHaveDuplicates().hasSize(200);
        assertThat(set.fileCount()).isEqualTo(200);
        paths.forEach(path -> assertThat(set.file(path)).isPresent());
        assertThat(set.file("/nope")).isEmpty();
    }

    @Test
    void chunks_areSpreadRoundRobin_withConsecutiveRangesPerDataset() {
        SyntheticChunkSet set = SyntheticChunkSet.generate(SPEC);
        for (int j = 0; j < set.chunks().size(); j++) {
            assertThat(set.chunks().get(j).datasetId()).isEqualTo(set.datasets().get(j % 3));
        }
        Map<DatasetId, List<SyntheticChunk>> byDataset = set.chunks().stream()
                .collect(Collectors.groupingBy(SyntheticChunk::datasetId));
        assertThat(byDataset.values()).extracting(List::size).containsExactlyInAnyOrder(14, 13, 13);
        byDataset.values().forEach(chunks -> {
            for (int k = 1; k < chunks.size(); k++) {
                assertThat(chunks.get(k).range().start()).isEqualTo(chunks.get(k - 1).range().end());
            }
        });
    }

    @Test
    void blockCounts_areVariedWithinBounds_orFixedWhenGiven() {
        SyntheticChunkSet varied = SyntheticChunkSet.generate(SPEC);
        assertThat(varied.chunks()).allSatisfy(c -> assertThat(c.range().length())
                .isBetween((long) SyntheticChunkSet.MIN_BLOCKS, (long) SyntheticChunkSet.MAX_BLOCKS));
        assertThat(varied.chunks().stream().map(c -> c.range().length()).distinct().count()).isGreaterThan(30);
        SyntheticChunkSet fixed = SyntheticChunkSet.generate(new ChunkSetSpec(11, 3, 40, 5, 1_000_000, 1000));
        assertThat(fixed.chunks()).allSatisfy(c -> assertThat(c.range().length()).isEqualTo(1000));
    }

    @Test
    void fileSizes_sumToTheChunkSize_andVary() {
        SyntheticChunkSet set = SyntheticChunkSet.generate(SPEC);
        assertThat(set.chunks()).allSatisfy(c -> {
            assertThat(c.size()).isEqualTo(1_000_000);
            assertThat(c.files()).allSatisfy(f -> assertThat(f.size()).isGreaterThanOrEqualTo(1));
        });
        assertThat(set.chunks().get(0).files().stream().map(SyntheticFile::size).distinct()).hasSize(5);
        assertThat(set.totalSize()).isEqualTo(40_000_000);
    }

    @Test
    void fileSizes_withOneBytePerFile_areAllOne() {
        SyntheticChunkSet set = SyntheticChunkSet.generate(new ChunkSetSpec(1, 1, 2, 64, 64, 0));
        assertThat(set.chunks()).allSatisfy(c -> assertThat(c.files()).allSatisfy(f -> assertThat(f.size())
                .isEqualTo(1)));
    }

    @Test
    void fileNames_areStandardFirst_thenNumbered() {
        SyntheticChunk chunk = SyntheticChunkSet.generate(new ChunkSetSpec(1, 1, 1, 7, 1000, 0)).chunks().get(0);
        assertThat(chunk.files()).extracting(SyntheticFile::name).containsExactly("blocks.parquet",
                "transactions.parquet", "logs.parquet", "traces.parquet", "statediffs.parquet", "file5.parquet",
                "file6.parquet");
        String dir = chunk.files().get(0).path().substring(0, chunk.files().get(0).path().lastIndexOf('/') + 1);
        assertThat(dir).matches("/" + chunk.datasetId() + "/\\d{10}-" + chunk.id().toString().substring(0, 8) + "/");
    }

    @Test
    void moreChunks_keepEveryChunkOfTheSmallerSet() {
        List<SyntheticChunk> small = SyntheticChunkSet.generate(SPEC).chunks();
        List<SyntheticChunk> large = SyntheticChunkSet.generate(new ChunkSetSpec(11, 3, 90, 5, 1_000_000, 0)).chunks();
        assertThat(large.subList(0, small.size())).isEqualTo(small);
    }

    @Test
    void differentChunkSize_givesDifferentIds() {
        Set<Object> ids = new HashSet<>();
        SyntheticChunkSet.generate(SPEC).chunks().forEach(c -> ids.add(c.id()));
        SyntheticChunkSet.generate(new ChunkSetSpec(11, 3, 40, 5, 2_000_000, 0)).chunks()
                .forEach(c -> assertThat(ids).doesNotContain(c.id()));
    }

    @Test
    void descriptor_pointsEveryFileUnderTheBaseUrl() {
        SyntheticChunk chunk = SyntheticChunkSet.generate(SPEC).chunks().get(0);
        ChunkDescriptor d = chunk.descriptor(URI.create("http://127.0.0.1:9/"), f -> Optional.empty());
        assertThat(d.id()).isEqualTo(chunk.id());
        assertThat(d.range()).isEqualTo(chunk.range());
        assertThat(d.files()).hasSize(5);
        chunk.files().forEach(f -> {
            assertThat(d.files().get(f.name()).url()).isEqualTo("http://127.0.0.1:9" + f.path());
            assertThat(d.files().get(f.name()).size()).hasValue(f.size());
            assertThat(d.files().get(f.name()).sha256()).isEmpty();
        });
    }

    @Test
    void spec_rejectsImpossibleParameters() {
        assertThatThrownBy(() -> new ChunkSetSpec(0, 0, 1, 1, 1, 0)).hasMessageContaining("datasets");
        assertThatThrownBy(() -> new ChunkSetSpec(0, 1, 0, 1, 1, 0)).hasMessageContaining("chunks");
        assertThatThrownBy(() -> new ChunkSetSpec(0, 1, 1, 65, 100, 0)).hasMessageContaining("files per chunk");
        assertThatThrownBy(() -> new ChunkSetSpec(0, 1, 1, 5, 4, 0)).hasMessageContaining("chunk size");
        assertThatThrownBy(() -> new ChunkSetSpec(0, 1, 1, 1, 1, -1)).hasMessageContaining("blocks per chunk");
    }
}
