package dev.worker.core.store;

import static dev.worker.core.store.StoreFixtures.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.store.ChunkStore.ScanResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ready index is a cache: used while chunk.json is unchanged, never trusted over the disk. */
final class ReadyIndexTest {
    @TempDir
    Path root;

    private DataDirectory directory;

    @BeforeEach
    void open() throws IOException {
        directory = DataDirectory.open(root);
    }

    @AfterEach
    void close() {
        directory.close();
    }

    private ScanResult scan() throws IOException {
        return new ChunkStore(directory).scan(false);
    }

    private Path index() {
        return root.resolve(ReadyIndex.FILE_NAME);
    }

    @Test
    void publishedChunksAreScannedFromTheIndexWithTheSameResult() throws IOException {
        ChunkStore store = new ChunkStore(directory);
        StoredChunk a = publish(store, 1, "a.bin", "b.bin");
        StoredChunk b = publish(store, 2, "a.bin");

        ScanResult scan = scan();

        assertThat(scan.chunks()).containsExactlyInAnyOrder(a, b);
        assertThat(scan.fromIndex()).isEqualTo(2);
        assertThat(scan().fromIndex()).as("still whole after the scan").isEqualTo(2);
    }

    @Test
    void aChangedChunkJsonIsParsedInsteadOfTakenFromTheIndex() throws IOException {
        StoredChunk a = publish(new ChunkStore(directory), 1, "a.bin");
        Path manifest = a.dir().resolve("chunk.json");
        Files.setLastModifiedTime(manifest, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));

        ScanResult scan = scan();

        assertThat(scan.chunks()).containsExactly(a);
        assertThat(scan.fromIndex()).isZero();
        assertThat(scan().fromIndex()).as("the scan rewrote the index").isEqualTo(1);
    }

    @Test
    void theIndexNeverHidesAWrongFileSize() throws IOException {
        StoredChunk a = publish(new ChunkStore(directory), 1, "a.bin");
        Files.write(a.dir().resolve("a.bin"), new byte[] {1, 2, 3});

        ScanResult scan = scan();

        assertThat(scan.chunks()).isEmpty();
        assertThat(scan.trashed()).isEqualTo(1);
    }

    @Test
    void aGarbageOrTornIndexIsIgnoredAndRewritten() throws IOException {
        ChunkStore store = new ChunkStore(directory);
        StoredChunk a = publish(store, 1, "a.bin");
        StoredChunk b = publish(store, 2, "a.bin");
        long whole = Files.size(index());
        Files.write(index(), new byte[] {1, 2, 3}, StandardOpenOption.APPEND); // a torn append

        ScanResult torn = scan();
        assertThat(torn.chunks()).containsExactlyInAnyOrder(a, b);
        assertThat(torn.fromIndex()).isEqualTo(2);

        Files.write(index(), "not an index".getBytes());
        ScanResult garbage = scan();
        assertThat(garbage.chunks()).containsExactlyInAnyOrder(a, b);
        assertThat(garbage.fromIndex()).isZero();
        assertThat(Files.size(index())).isEqualTo(whole);
        assertThat(scan().fromIndex()).isEqualTo(2);
    }

    @Test
    void entriesOfRemovedChunksAreDroppedAtTheNextScan() throws IOException {
        ChunkStore store = new ChunkStore(directory);
        StoredChunk a = publish(store, 1, "a.bin");
        StoredChunk b = publish(store, 2, "a.bin");
        store.deleteRecursively(store.moveToTrash(a.dir()));

        assertThat(scan().chunks()).containsExactly(b);

        assertThat(new ReadyIndex(index()).read()).containsOnlyKeys(b.descriptor().id());
    }

    @Test
    void anEntryRoundTripsThroughTheBinaryForm() throws IOException {
        StoredChunk a = publish(new ChunkStore(directory), 3, "blocks.parquet", "logs.parquet");
        ReadyIndex.Entry entry = new ReadyIndex(index()).read().get(a.descriptor().id()).decode();

        ReadyIndex.Entry again = ReadyIndex.decode(java.nio.ByteBuffer.wrap(ReadyIndex.encode(entry)));

        assertThat(again).isEqualTo(entry);
        assertThat(again.at(a.dir())).isEqualTo(a);
        assertThat(List.of(again.descriptor())).containsExactly(a.descriptor());
    }
}
