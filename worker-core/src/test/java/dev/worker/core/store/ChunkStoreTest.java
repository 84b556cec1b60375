package dev.worker.core.store;

import static dev.worker.core.store.StoreFixtures.COMPLETED;
import static dev.worker.core.store.StoreFixtures.chunkId;
import static dev.worker.core.store.StoreFixtures.contents;
import static dev.worker.core.store.StoreFixtures.descriptor;
import static dev.worker.core.store.StoreFixtures.publish;
import static dev.worker.core.store.StoreFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import dev.worker.core.FileDigest;
import dev.worker.core.store.ChunkStore.PartialDownload;
import dev.worker.core.store.ChunkStore.ScanResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ChunkStoreTest {
    @TempDir
    Path root;

    private DataDirectory directory;
    private ChunkStore store;

    @BeforeEach
    void openStore() throws IOException {
        directory = DataDirectory.open(root);
        store = new ChunkStore(directory);
    }

    @AfterEach
    void closeStore() {
        directory.close();
    }

    @Test
    void publish_thenScan_findsTheChunkWithItsRecordedDigests() throws IOException {
        Map<String, byte[]> contents = contents(1, "blocks.parquet", "logs.parquet");
        ChunkDescriptor descriptor = descriptor(1, contents);
        Path temp = store.newTempDir(descriptor.id());
        Map<String, FileDigest> digests = write(temp, contents);

        StoredChunk published = store.publish(descriptor, temp, digests, COMPLETED);
        ScanResult scan = new ChunkStore(directory).scan(false);

        assertThat(published.dir()).isEqualTo(directory.chunks().resolve(descriptor.id().toString()));
        assertThat(temp).doesNotExist();
        assertThat(published.dir().resolve("blocks.parquet")).hasBinaryContent(contents.get("blocks.parquet"));
        assertThat(scan.chunks()).containsExactly(published);
        StoredChunk found = scan.chunks().getFirst();
        assertThat(found.descriptor()).isEqualTo(descriptor);
        assertThat(found.files()).isEqualTo(digests);
        assertThat(found.completedAt()).isEqualTo(COMPLETED);
        assertThat(found.totalSize()).isEqualTo(contents.values().stream().mapToLong(b -> b.length).sum());
        assertThat(scan.partials()).isEmpty();
        assertThat(scan.trashed()).isZero();
    }

    @Test
    void chunkJson_holdsVersionDescriptorFilesAndCompletionTime() throws IOException {
        StoredChunk chunk = publish(store, 2, "a.bin");

        var json = ChunkDescriptorJson.MAPPER.readTree(chunk.dir().resolve("chunk.json").toFile());

        assertThat(json.get("version").intValue()).isEqualTo(1);
        assertThat(ChunkDescriptorJson.parse(json.get("descriptor"))).isEqualTo(chunk.descriptor());
        assertThat(json.get("files").get("a.bin").get("size").longValue()).isEqualTo(chunk.files().get("a.bin").size());
        assertThat(json.get("files").get("a.bin").get("sha256").textValue())
                .isEqualTo(chunk.files().get("a.bin").sha256().toHex());
        assertThat(json.get("completed_at").textValue()).isEqualTo("2026-11-23T10:00:00.123Z");
    }

    @Test
    void publish_deletesTheTempDirsResumeFile() throws IOException {
        Map<String, byte[]> contents = contents(3, "a.bin");
        ChunkDescriptor descriptor = descriptor(3, contents);
        Path temp = store.newTempDir(descriptor.id());
        Path resume = temp.resolveSibling(temp.getFileName() + ".resume");
        Files.writeString(resume, "etag=\"x\"");

        store.publish(descriptor, temp, write(temp, contents), COMPLETED);

        assertThat(resume).doesNotExist();
        assertThat(directory.tmp()).isEmptyDirectory();
    }

    @Test
    void publish_ofAnAlreadyPublishedChunk_failsNamingIt_andLeavesBothDirectories() throws IOException {
        StoredChunk first = publish(store, 4, "a.bin");
        Map<String, byte[]> contents = contents(4, "a.bin");
        Path temp = store.newTempDir(first.descriptor().id());
        Map<String, FileDigest> digests = write(temp, contents);

        assertThatThrownBy(() -> store.publish(first.descriptor(), temp, digests, COMPLETED))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(first.descriptor().id().toString())
                .hasMessageContaining("already published");
        assertThat(temp.resolve("a.bin")).exists();
        assertThat(first.dir().resolve("chunk.json")).exists();
    }

    @Test
    void publish_withAMissingFile_failsNamingChunkAndFile_andPublishesNothing() throws IOException {
        Map<String, byte[]> contents = contents(5, "a.bin", "b.bin");
        ChunkDescriptor descriptor = descriptor(5, contents);
        Path temp = store.newTempDir(descriptor.id());
        Map<String, FileDigest> digests = write(temp, contents);
        Files.delete(temp.resolve("b.bin"));

        assertThatThrownBy(() -> store.publish(descriptor, temp, digests, COMPLETED))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(descriptor.id().toString())
                .hasMessageContaining("b.bin")
                .hasMessageContaining("missing");
        assertThat(directory.chunks()).isEmptyDirectory();
        assertThat(temp.resolve("a.bin")).exists();
    }

    @Test
    void publish_withAFileOfAnotherSize_failsSayingBothSizes() throws IOException {
        Map<String, byte[]> contents = contents(6, "a.bin");
        ChunkDescriptor descriptor = descriptor(6, contents);
        Path temp = store.newTempDir(descriptor.id());
        Map<String, FileDigest> digests = write(temp, contents);
        Files.write(temp.resolve("a.bin"), new byte[] {1, 2, 3});

        assertThatThrownBy(() -> store.publish(descriptor, temp, digests, COMPLETED))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(descriptor.id().toString())
                .hasMessageContaining("has 3 bytes, expected " + contents.get("a.bin").length);
        assertThat(directory.chunks()).isEmptyDirectory();
    }

    @Test
    void crashLeftoversInTmp_neverAppearAsChunks_butAsPartialDownloads() throws IOException {
        // Crash before chunk.json: files only.
        ChunkId noManifest = chunkId(7);
        Path first = store.newTempDir(noManifest);
        write(first, contents(7, "a.bin"));
        // Crash while writing chunk.json: half of it, in the temp dir (publish renames only after its fsync).
        Map<String, byte[]> contents = contents(8, "a.bin");
        ChunkDescriptor descriptor = descriptor(8, contents);
        Path second = store.newTempDir(descriptor.id());
        Map<String, FileDigest> digests = write(second, contents);
        byte[] manifest = ChunkManifest.write(descriptor, digests, COMPLETED);
        Files.write(second.resolve("chunk.json"), Arrays.copyOf(manifest, manifest.length / 2));

        ScanResult scan = new ChunkStore(directory).scan(false);

        assertThat(scan.chunks()).isEmpty();
        assertThat(scan.partials()).containsExactly(
                new PartialDownload(noManifest, first), new PartialDownload(descriptor.id(), second));
        assertThat(directory.chunks()).isEmptyDirectory();
    }

    @Test
    void scan_movesEachKindOfBadEntryToTrash_andKeepsTheGoodOnes() throws IOException {
        StoredChunk good1 = publish(store, 10, "a.bin");
        StoredChunk good2 = publish(store, 11, "a.bin", "b.bin");
        Path chunks = directory.chunks();
        Files.writeString(chunks.resolve("stray.txt"), "not a chunk");
        Files.createDirectory(chunks.resolve("not-a-chunk-id"));
        Path upperCase = publish(store, 12, "a.bin").dir();
        Files.move(upperCase, chunks.resolve(upperCase.getFileName().toString().toUpperCase()));
        Files.delete(publish(store, 13, "a.bin").dir().resolve("chunk.json"));
        Files.writeString(publish(store, 14, "a.bin").dir().resolve("chunk.json"), "{\"version\": 1, \"descr");
        Files.writeString(publish(store, 15, "a.bin").dir().resolve("chunk.json"), "[1, 2, 3]");
        Path otherId = publish(store, 16, "a.bin").dir();
        Files.move(otherId, chunks.resolve(chunkId(99).toString()));
        Files.delete(publish(store, 17, "a.bin", "b.bin").dir().resolve("b.bin"));
        Files.write(publish(store, 18, "a.bin").dir().resolve("a.bin"), new byte[] {42});
        Files.writeString(chunks.resolve(chunkId(19).toString()), "a file named like a chunk");
        Path unsupported = publish(store, 20, "a.bin").dir().resolve("chunk.json");
        Files.writeString(unsupported, Files.readString(unsupported).replace("\"version\":1", "\"version\":2"));

        ScanResult scan = new ChunkStore(directory).scan(false);

        assertThat(scan.chunks()).containsExactlyInAnyOrder(good1, good2);
        assertThat(scan.trashed()).isEqualTo(11);
        try (Stream<Path> left = Files.list(chunks)) {
            assertThat(left).containsExactlyInAnyOrder(good1.dir(), good2.dir());
        }
        try (Stream<Path> trash = Files.list(directory.trash())) {
            assertThat(trash).hasSize(11);
        }
    }

    @Test
    void scan_withVerification_trashesAChunkWithAFlippedByte() throws IOException {
        StoredChunk good = publish(store, 21, "a.bin");
        StoredChunk flipped = publish(store, 22, "a.bin");
        flipByte(flipped.dir().resolve("a.bin"), 3);

        assertThat(new ChunkStore(directory).scan(false).chunks()).containsExactlyInAnyOrder(good, flipped);
        ScanResult verified = new ChunkStore(directory).scan(true);

        assertThat(verified.chunks()).containsExactly(good);
        assertThat(verified.trashed()).isEqualTo(1);
    }

    @Test
    void verify_detectsAFlippedByte_namingFileAndBothDigests() throws IOException {
        StoredChunk chunk = publish(store, 23, "a.bin", "b.bin");
        assertThat(store.verify(chunk)).isEmpty();

        flipByte(chunk.dir().resolve("b.bin"), 0);
        Optional<String> mismatch = store.verify(chunk);

        assertThat(mismatch).hasValueSatisfying(m -> assertThat(m)
                .contains("b.bin")
                .contains("expected " + chunk.files().get("b.bin").sha256())
                .contains("actual "));
    }

    @Test
    void verify_reportsAMissingFileAndAWrongSize() throws IOException {
        StoredChunk chunk = publish(store, 24, "a.bin", "b.bin");
        Files.write(chunk.dir().resolve("a.bin"), new byte[] {1});
        assertThat(store.verify(chunk)).hasValueSatisfying(m -> assertThat(m).contains("a.bin").contains("size"));
        Files.delete(chunk.dir().resolve("a.bin"));
        assertThat(store.verify(chunk)).hasValueSatisfying(m -> assertThat(m).contains("a.bin").contains("missing"));
    }

    @Test
    void scanOfTmp_keepsTheNewestDirectoryPerChunk_andDeletesOrphans() throws IOException {
        Path tmp = directory.tmp();
        ChunkId id = chunkId(30);
        Files.createDirectory(tmp.resolve(id + ".3"));
        Files.createDirectory(tmp.resolve(id + ".41"));
        Files.writeString(tmp.resolve(id + ".3.resume"), "old");
        Files.writeString(tmp.resolve(id + ".41.resume"), "current");
        Files.writeString(tmp.resolve(chunkId(31) + ".7.resume"), "orphan");
        Files.createDirectory(tmp.resolve("garbage"));
        Files.writeString(tmp.resolve(chunkId(32) + ".x"), "bad number");

        ScanResult scan = new ChunkStore(directory).scan(false);

        assertThat(scan.partials()).containsExactly(new PartialDownload(id, tmp.resolve(id + ".41")));
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(id + ".41", id + ".41.resume");
        }
    }

    @Test
    void newTempDir_afterScan_neverReusesANumberSeenInTmp() throws IOException {
        ChunkId id = chunkId(33);
        Files.createDirectory(directory.tmp().resolve(id + ".57"));
        ChunkStore fresh = new ChunkStore(directory);
        fresh.scan(false);

        Path created = fresh.newTempDir(chunkId(34));

        assertThat(created.getFileName().toString()).isEqualTo(chunkId(34) + ".58");
        assertThat(created).isEmptyDirectory();
    }

    @Test
    void newTempDir_withoutScan_skipsNumbersInUse_andDropsAStaleResumeFile() throws IOException {
        ChunkId id = chunkId(35);
        Files.createDirectory(directory.tmp().resolve(id + ".0"));
        Files.writeString(directory.tmp().resolve(id + ".1.resume"), "stale");

        Path created = new ChunkStore(directory).newTempDir(id);

        assertThat(created).isEqualTo(directory.tmp().resolve(id + ".1"));
        assertThat(directory.tmp().resolve(id + ".1.resume")).doesNotExist();
    }

    @Test
    void moveToTrash_ofATempDir_takesItsResumeFileToo_andEmptyTrashDeletesEverything() throws IOException {
        StoredChunk chunk = publish(store, 36, "a.bin");
        Path temp = store.newTempDir(chunkId(37));
        write(temp, contents(37, "a.bin"));
        Files.writeString(temp.resolveSibling(temp.getFileName() + ".resume"), "validators");

        Path trashedChunk = store.moveToTrash(chunk.dir());
        Path trashedTemp = store.moveToTrash(temp);
        Path again = store.moveToTrash(publish(store, 36, "a.bin").dir());

        assertThat(trashedChunk.getParent()).isEqualTo(directory.trash());
        assertThat(trashedChunk.resolve("a.bin")).exists();
        assertThat(again).isNotEqualTo(trashedChunk);
        assertThat(trashedTemp.resolve("a.bin")).exists();
        assertThat(directory.chunks()).isEmptyDirectory();
        assertThat(directory.tmp()).isEmptyDirectory();
        long tempFile = contents(37, "a.bin").get("a.bin").length;
        assertThat(store.sizeOf(directory.trash()))
                .isEqualTo(chunk.totalSize() * 2 + tempFile + sizeOfManifests(trashedChunk, again));

        store.emptyTrash();

        assertThat(directory.trash()).isEmptyDirectory();
    }

    @Test
    void moveToTrash_refusesPathsOutsideChunksAndTmp() {
        assertThatThrownBy(() -> store.moveToTrash(directory.root().resolve("intents.log")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deleteRecursively_andSizeOf_acceptAMissingPath() throws IOException {
        Path missing = root.resolve("missing");
        store.deleteRecursively(missing);
        assertThat(store.sizeOf(missing)).isZero();
        Path tree = Files.createDirectories(root.resolve("x/y/z"));
        Files.write(tree.resolve("f"), new byte[10]);
        Files.write(tree.getParent().resolve("g"), new byte[5]);
        assertThat(store.sizeOf(root.resolve("x"))).isEqualTo(15);
        store.deleteRecursively(root.resolve("x"));
        assertThat(root.resolve("x")).doesNotExist();
    }

    private static long sizeOfManifests(Path... chunkDirs) throws IOException {
        long total = 0;
        for (Path dir : chunkDirs) {
            total += Files.size(dir.resolve("chunk.json"));
        }
        return total;
    }

    private static void flipByte(Path file, int index) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[index] ^= 0x01;
        Files.write(file, bytes);
    }
}
