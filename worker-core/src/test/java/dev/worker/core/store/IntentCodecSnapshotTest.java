package dev.worker.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.FileSource;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class IntentCodecSnapshotTest {
    private static ChunkDescriptor descriptor(int n) {
        return ChunkDescriptor.of(new ChunkId(new Bytes32(n, n, n, n)), new DatasetId(new Bytes32(1, 1, 1, 1)),
                new BlockRange(n * 10L, n * 10L + 10), Map.of("a.bin", FileSource.of("http://h/" + n + "/a.bin")));
    }

    private static byte[] encode(Intent intent) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IntentCodec.write(intent, out);
        return out.toByteArray();
    }

    @Test
    void aSnapshotReadsBackWithIdsAtOnceAndDescriptorsOnDemand() {
        List<ChunkDescriptor> chunks = List.of(descriptor(1), descriptor(2), descriptor(3));
        byte[] bytes = encode(new Intent.Snapshot(chunks.stream().map(JournaledDescriptor::of).toList()));

        Intent.Snapshot read = (Intent.Snapshot) IntentCodec.read(bytes, 0, bytes.length);

        assertThat(read.chunks()).extracting(JournaledDescriptor::id)
                .containsExactly(chunks.get(0).id(), chunks.get(1).id(), chunks.get(2).id());
        assertThat(read.chunks()).noneMatch(JournaledDescriptor::isParsed);
        assertThat(read.chunks().get(1).descriptor()).isEqualTo(chunks.get(1));
        assertThat(read.chunks().get(1).isParsed()).isTrue();
    }

    @Test
    void malformedSnapshotsAreRejectedWithAReason() {
        byte[] bytes = encode(new Intent.Snapshot(List.of(JournaledDescriptor.of(descriptor(1)))));

        assertThatThrownBy(() -> IntentCodec.read(bytes, 0, bytes.length - 1)).hasMessageContaining("bad length");
        byte[] hugeCount = bytes.clone();
        ByteBuffer.wrap(hugeCount).putInt(1, 1_000_000);
        assertThatThrownBy(() -> IntentCodec.read(hugeCount, 0, hugeCount.length)).hasMessageContaining("count");
        byte[] trailing = java.util.Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> IntentCodec.read(trailing, 0, trailing.length)).hasMessageContaining("after");
    }

    @Test
    void aJournaledDescriptorThatNamesAnotherChunkIsRejectedWhenParsed() {
        byte[] bytes = encode(new Intent.Snapshot(List.of(JournaledDescriptor.of(descriptor(1)))));
        ByteBuffer.wrap(bytes).putLong(5, 99); // the entry's id no longer matches its JSON

        Intent.Snapshot read = (Intent.Snapshot) IntentCodec.read(bytes, 0, bytes.length);

        assertThatThrownBy(() -> read.chunks().getFirst().descriptor()).hasMessageContaining("names chunk");
    }
}
