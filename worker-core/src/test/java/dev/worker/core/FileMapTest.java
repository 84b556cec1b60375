package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

final class FileMapTest {
    private static final String PREFIX = "http://store.example:8080/" + "ab".repeat(32) + "/";

    @Test
    void filesWhoseUrlsArePrefixPlusNameKeepTheirUrlsAndEqualTheUnsharedDescriptor() {
        Map<String, FileSource> files = new TreeMap<>();
        files.put("a.parquet", FileSource.of(PREFIX + "a.parquet", 10, TestChunks.sha256("a")));
        files.put("b.parquet", FileSource.of(PREFIX + "b.parquet"));
        files.put("c.parquet", FileSource.of("http://elsewhere.example/c.parquet", 3, TestChunks.sha256("c")));
        files.put("d.parquet", FileSource.of(PREFIX + "d.parquet.old"));

        FileMap map = FileMap.copyOf(new TreeMap<>(files));

        assertThat(map.get("a.parquet").url()).isEqualTo(PREFIX + "a.parquet");
        assertThat(map.get("b.parquet").url()).isEqualTo(PREFIX + "b.parquet");
        assertThat(map.get("c.parquet").url()).isEqualTo("http://elsewhere.example/c.parquet");
        assertThat(map.get("d.parquet").url()).isEqualTo(PREFIX + "d.parquet.old");
        assertThat(map.get("a.parquet").size()).hasValue(10);
        assertThat(map.get("a.parquet").sha256()).contains(TestChunks.sha256("a"));
        for (Map.Entry<String, FileSource> e : files.entrySet()) {
            assertThat(map.get(e.getKey())).isEqualTo(e.getValue()).hasSameHashCodeAs(e.getValue());
            assertThat(e.getValue()).isEqualTo(map.get(e.getKey()));
        }
        assertThat(map.get("a.parquet")).isNotEqualTo(FileSource.of(PREFIX + "a.parquet"));
        assertThat(map.get("b.parquet")).isNotEqualTo(FileSource.of(PREFIX + "b.parquex"));
    }

    @Test
    void aSharedUrlPrefixIsOneStringForTheWholeChunk() {
        Map<String, FileSource> files = new TreeMap<>();
        for (int i = 0; i < 5; i++) {
            files.put("f" + i + ".parquet", FileSource.of(PREFIX + "f" + i + ".parquet"));
        }
        FileMap map = FileMap.copyOf(new TreeMap<>(files));
        FileSource first = map.get("f0.parquet");
        for (FileSource source : map.values()) {
            assertThat(source.sharesUrlPrefixWith(first)).as(source.url()).isTrue();
        }
        assertThat(first.sharesUrlPrefixWith(FileSource.of(PREFIX + "f0.parquet"))).isFalse();
    }
}
