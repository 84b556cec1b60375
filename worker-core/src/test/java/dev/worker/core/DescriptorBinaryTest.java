package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

final class DescriptorBinaryTest {
    private static final String PREFIX = "https://store.example:8443/bucket/" + "cd".repeat(32) + "/";

    private static byte[] write(ChunkDescriptor d, Map<String, FileDigest> written) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DescriptorBinary.write(new DataOutputStream(bytes), d, written);
        return bytes.toByteArray();
    }

    private static DescriptorBinary.Decoded roundTrip(ChunkDescriptor d, Map<String, FileDigest> written)
            throws IOException {
        ByteBuffer in = ByteBuffer.wrap(write(d, written));
        DescriptorBinary.Decoded decoded = DescriptorBinary.read(in);
        assertThat(in.hasRemaining()).as("read consumes exactly what write wrote").isFalse();
        return decoded;
    }

    private static Map<String, FileDigest> digests(ChunkDescriptor d) {
        Map<String, FileDigest> written = new HashMap<>();
        d.files().forEach((name, source) -> written.put(name, new FileDigest(source.size().orElse(7),
                source.sha256().orElse(TestChunks.sha256("written " + name)))));
        return written;
    }

    @Test
    void descriptorWithOneUrlPrefixRoundTripsAndStillSharesThePrefix() throws IOException {
        Map<String, FileSource> files = new TreeMap<>();
        for (int i = 0; i < 5; i++) {
            files.put("f" + i + ".parquet", FileSource.of(PREFIX + "f" + i + ".parquet", 100 + i,
                    TestChunks.sha256("f" + i)));
        }
        ChunkDescriptor d = ChunkDescriptor.of(TestChunks.chunkId("a"), TestChunks.datasetId("d"),
                new BlockRange(10, 20), files);

        DescriptorBinary.Decoded decoded = roundTrip(d, digests(d));

        assertThat(decoded.descriptor()).isEqualTo(d).hasSameHashCodeAs(d);
        assertThat(decoded.written()).isEqualTo(digests(d));
        FileSource first = decoded.descriptor().files().get("f0.parquet");
        assertThat(first.sharesUrlPrefixWith(decoded.descriptor().files().get("f4.parquet"))).isTrue();
        assertThat(decoded.written().get("f0.parquet").sha256()).as("one instance for the declared and written sha")
                .isSameAs(first.sha256().orElseThrow());
    }

    @Test
    void descriptorWithUnrelatedUrlsAndUndeclaredSizesRoundTrips() throws IOException {
        Map<String, FileSource> files = new TreeMap<>();
        files.put("a.bin", FileSource.of("http://one.example/x/a.bin"));
        files.put("b.bin", FileSource.of("http://two.example/b.bin?sig=1", 3, TestChunks.sha256("b")));
        files.put("c.bin", FileSource.of(PREFIX + "c.bin.v2"));
        ChunkDescriptor d = ChunkDescriptor.of(TestChunks.chunkId("b"), TestChunks.datasetId("d"),
                new BlockRange(0, Long.MAX_VALUE), files);
        Map<String, FileDigest> written = digests(d);
        // A written file whose sha differs from the declared one is recorded as written.
        written.put("b.bin", new FileDigest(3, TestChunks.sha256("other")));

        DescriptorBinary.Decoded decoded = roundTrip(d, written);

        assertThat(decoded.descriptor()).isEqualTo(d);
        assertThat(decoded.descriptor().files().get("a.bin").url()).isEqualTo("http://one.example/x/a.bin");
        assertThat(decoded.descriptor().files().get("a.bin").size()).isEmpty();
        assertThat(decoded.descriptor().files().get("a.bin").sha256()).isEmpty();
        assertThat(decoded.written()).isEqualTo(written);
    }

    @Test
    void aFileWithoutADigestIsRefusedWhenWriting() {
        ChunkDescriptor d = TestChunks.descriptor("c", "d", 0, 1);

        assertThatThrownBy(() -> write(d, Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no digest for file data.bin");
    }

    @Test
    void bytesNotInTheLayoutAreRefusedWithAReason() throws IOException {
        ChunkDescriptor d = TestChunks.descriptor("c", "d", 0, 1);
        byte[] good = write(d, digests(d));

        ByteBuffer badCount = ByteBuffer.wrap(good.clone());
        badCount.putInt(80, 0); // the file count follows id, dataset and range
        assertThatThrownBy(() -> DescriptorBinary.read(badCount)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad file count 0");

        ByteBuffer badLength = ByteBuffer.wrap(good.clone());
        badLength.putInt(84, 1 << 30); // the URL prefix's length
        assertThatThrownBy(() -> DescriptorBinary.read(badLength)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad string length");
    }
}
