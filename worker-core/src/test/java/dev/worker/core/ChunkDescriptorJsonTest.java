package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ChunkDescriptorJsonTest {
    private static final String ID = "AB".repeat(32);
    private static final String DATASET = "0123456789abcdef".repeat(4);
    private static final String SHA = "ff".repeat(32);

    @Test
    void parsesTheDocumentedFormAndWritesItBack() {
        String json = """
                {"id": "%s", "dataset_id": "%s", "block_range": {"start": 1000, "end": 2000},
                 "files": {"blocks.parquet": "http://host/path/blocks.parquet",
                           "logs.parquet": {"url": "https://host/path/logs.parquet", "size": 1048576, "sha256": "%s"}}}
                """.formatted(ID, DATASET, SHA);

        ChunkDescriptor descriptor = ChunkDescriptorJson.parse(json);

        assertThat(descriptor.id().toString()).isEqualTo(ID.toLowerCase());
        assertThat(descriptor.datasetId()).isEqualTo(DatasetId.parse(DATASET));
        assertThat(descriptor.range()).isEqualTo(new BlockRange(1000, 2000));
        assertThat(descriptor.files()).containsOnlyKeys("blocks.parquet", "logs.parquet");
        assertThat(descriptor.files().get("blocks.parquet").size()).isEqualTo(OptionalLong.empty());
        assertThat(descriptor.files().get("logs.parquet").sha256()).contains(Bytes32.parseHex("sha", SHA));
        assertThat(descriptor.declaredSize()).isEmpty();
        assertThat(ChunkDescriptorJson.parse(ChunkDescriptorJson.toJson(descriptor))).isEqualTo(descriptor);
    }

    @Test
    void hexIdsRoundTripAndCompareByValue() {
        ChunkId id = ChunkId.parse(ID);
        assertThat(ChunkId.parse(id.toString())).isEqualTo(id).hasSameHashCodeAs(id);
        assertThat(id.toString()).isEqualTo(ID.toLowerCase());
        assertThat(ChunkId.parse("00".repeat(32))).isLessThan(id);
        byte[] raw = new byte[32];
        raw[31] = 1;
        assertThat(Bytes32.fromBytes(raw).toHex()).isEqualTo("00".repeat(31) + "01");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "short id           | {\"id\": \"abc\"}                         | chunk id must be 64 hex characters",
        "non-hex id         | {\"id\": \"%NONHEX%\"}                    | non-hex character at position 0",
        "id of wrong type   | {\"id\": 5}                               | id must be a string, got the number 5",
        "unknown field      | {\"id\": \"%ID%\", \"extra\": 1}          | unknown field extra",
        "start >= end       | %RANGE:5,5%                               | start must be less than end",
        "negative start     | %RANGE:-1,5%                              | start must be >= 0",
        "float bound        | %RANGE:1.5,5%                             | block_range.start must be an integer",
        "overflowing bound  | %RANGE:1,99999999999999999999%            | block_range.end is out of range",
        "traversal name     | %FILE:..:\"http://h/x\"%                  | file name '..' is not allowed",
        "separator in name  | %FILE:a/b:\"http://h/x\"%                 | is not allowed",
        "reserved name      | %FILE:chunk.json:\"http://h/x\"%          | reserved",
        "file scheme        | %FILE:a:\"file:///etc/passwd\"%           | must use http, https or s3",
        "no host            | %FILE:a:\"http:///x\"%                    | has no host",
        "port too high      | %FILE:a:\"http://h:99999/x\"%             | outside 1..65535",
        "port zero          | %FILE:a:\"http://h:0/x\"%                 | outside 1..65535",
        "negative size      | %FILE:a:{\"url\":\"http://h/x\",\"size\":-1}% | size must be >= 0",
        "bad sha            | %FILE:a:{\"url\":\"http://h/x\",\"sha256\":\"zz\"}% | sha256 must be 64 hex characters",
        "no files           | %FILES:{}%                                | has no files",
        "malformed          | {\"id\":                                  | malformed JSON",
    })
    void rejectsBadInputWithAMessageNamingTheProblem(String name, String json, String message) {
        String body = expand(json);
        assertThatThrownBy(() -> ChunkDescriptorJson.parse(body))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsMoreThan64Files() {
        Map<String, FileSource> files = new java.util.HashMap<>();
        for (int i = 0; i < 65; i++) {
            files.put("f" + i, FileSource.of("http://h/f" + i));
        }
        assertThatThrownBy(() -> ChunkDescriptor.of(ChunkId.parse(ID), DatasetId.parse(DATASET),
                new BlockRange(0, 1), files))
                .hasMessageContaining("65 files (at most 64)");
    }

    @Test
    void fileSourceRejectsCredentialsAndKeepsOptionalFields() {
        assertThatThrownBy(() -> FileSource.of("http://user:pw@h/x")).hasMessageContaining("credentials");
        FileSource source = new FileSource("https://h/x", OptionalLong.of(3), Optional.empty());
        assertThat(source.uri().getHost()).isEqualTo("h");
    }

    @Test
    void blockRangeParsesItsCanonicalForm() {
        BlockRange range = new BlockRange(3, 9);
        assertThat(BlockRange.parse(range.toString())).isEqualTo(range);
        assertThat(range.contains(3)).isTrue();
        assertThat(range.contains(9)).isFalse();
        assertThat(range.overlaps(new BlockRange(8, 20))).isTrue();
        assertThat(range.overlaps(new BlockRange(9, 20))).isFalse();
    }

    private static String expand(String template) {
        String valid = "{\"id\": \"%s\", \"dataset_id\": \"%s\", \"block_range\": {\"start\": 0, \"end\": 10}, "
                .formatted(ID, DATASET);
        if (template.startsWith("%RANGE:")) {
            String[] bounds = template.substring(7, template.length() - 1).split(",");
            return "{\"id\": \"%s\", \"dataset_id\": \"%s\", \"block_range\": {\"start\": %s, \"end\": %s}, "
                    .formatted(ID, DATASET, bounds[0], bounds[1]) + "\"files\": {\"a\": \"http://h/a\"}}";
        }
        if (template.startsWith("%FILE:")) {
            String inner = template.substring(6, template.length() - 1);
            int colon = inner.indexOf(':');
            return valid + "\"files\": {\"" + inner.substring(0, colon) + "\": " + inner.substring(colon + 1) + "}}";
        }
        if (template.startsWith("%FILES:")) {
            return valid + "\"files\": " + template.substring(7, template.length() - 1) + "}";
        }
        return template.replace("%ID%", ID).replace("%NONHEX%", "g".repeat(64));
    }
}
