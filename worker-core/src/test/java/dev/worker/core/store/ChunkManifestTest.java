package dev.worker.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.FileDigest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ChunkManifestTest {
    private static final Path DIR = Path.of("/data/chunks/x");

    @Test
    void writeThenParse_roundTrips() {
        var contents = StoreFixtures.contents(3, "a.bin", "b.bin");
        var descriptor = StoreFixtures.descriptor(3, contents);
        Map<String, FileDigest> files = Map.of("a.bin", StoreFixtures.digest(contents.get("a.bin")),
                "b.bin", StoreFixtures.digest(contents.get("b.bin")));

        StoredChunk parsed = ChunkManifest.parse(ChunkManifest.write(descriptor, files, StoreFixtures.COMPLETED), DIR);

        assertThat(parsed).isEqualTo(new StoredChunk(descriptor, DIR, files, StoreFixtures.COMPLETED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-23T10:00:00Z", "2026-11-23T10:00:00.1Z", "2026-11-23T10:00:00.123456789Z",
        "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2000-02-29T12:00:00Z", "2100-03-01T00:00:00Z",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2026-11-23T10:00:00+01:00",
        "2026-11-23T10:00:00.5-07:30", "2026-11-23T24:00:00Z", "2026-11-23T10:00:00.Z"})
    void parseInstant_agreesWithInstantParse(String text) {
        assertThat(ChunkManifest.parseInstant(text)).isEqualTo(Instant.parse(text));
    }

    @Test
    void parseInstant_agreesWithInstantToStringOverRandomTimes() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_799L),
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            assertThat(ChunkManifest.parseInstant(instant.toString())).isEqualTo(instant);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-30T10:00:00Z", "2026-11-23T25:00:00Z", "2026-11-23 10:00:00Z", "yesterday",
        "2026-13-01T00:00:00Z", "2026-11-23T10:00:00"})
    void parseInstant_rejectsWhatIsNotAnRfc3339Time(String text) {
        assertThatThrownBy(() -> ChunkManifest.parseInstant(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "{\"version\":1}", "{\"version\":\"1\"}", "{\"version\":1}{}",
        "{\"version\":1,\"descriptor\":{},\"files\":{},\"completed_at\":\"2026-11-23T10:00:00Z\"}"})
    void parse_rejectsIncompleteOrMistypedDocuments(String json) {
        assertThatThrownBy(() -> ChunkManifest.parse(json.getBytes(StandardCharsets.UTF_8), DIR))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
