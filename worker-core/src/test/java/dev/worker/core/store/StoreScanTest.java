package dev.worker.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.BlockRange;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileDigest;
import dev.worker.core.FileSource;
import dev.worker.core.store.ChunkStore.ScanResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * The startup scan at the size the design sets as its bar: 30,000 chunks. Timing is printed, never asserted (the
 * benchmarks measure it).
 *
 * <p>Creating and deleting 90,000 files and directories on a journaling disk file system takes several times longer
 * than the scan, so the tree lives on tmpfs where there is one. The scan's work is the same there: with the tree just
 * written, its stats and reads are answered from the kernel's caches on any file system.
 */
final class StoreScanTest {
    private static final int CHUNKS = 30_000;

    @TempDir(factory = MemoryBackedTempDir.class)
    Path root;

    /** A temp dir on /dev/shm when it is a writable directory, else in the default temp location. */
    static final class MemoryBackedTempDir implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension)
                throws IOException {
            Path shm = Path.of("/dev/shm");
            if (Files.isDirectory(shm) && Files.isWritable(shm)) {
                return Files.createTempDirectory(shm, "store-scan-test");
            }
            return Files.createTempDirectory("store-scan-test");
        }
    }

    @Test
    void scan_of30000Chunks_findsThemAll() throws IOException {
        try (DataDirectory directory = DataDirectory.open(root)) {
            byte[] content = "a small chunk file\n".getBytes(StandardCharsets.UTF_8);
            FileDigest digest = StoreFixtures.digest(content);
            long builtAt = System.nanoTime();
            IntStream.range(0, CHUNKS).parallel().forEach(i -> {
                ChunkDescriptor descriptor = ChunkDescriptor.of(StoreFixtures.chunkId(i), StoreFixtures.DATASET,
                        new BlockRange(i * 1000L, i * 1000L + 1000), Map.of("blocks.parquet", FileSource.of(
                                "https://storage.test/c/" + i + "/blocks.parquet", content.length, digest.sha256())));
                Path dir = directory.chunks().resolve(descriptor.id().toString());
                try {
                    Files.createDirectory(dir);
                    Files.write(dir.resolve("blocks.parquet"), content);
                    Files.write(dir.resolve("chunk.json"), ChunkManifest.write(descriptor,
                            Map.of("blocks.parquet", digest), StoreFixtures.COMPLETED));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            System.out.printf("built %d chunk directories in %d ms%n", CHUNKS,
                    (System.nanoTime() - builtAt) / 1_000_000);

            ScanResult scan = new ChunkStore(directory).scan(false);
            ScanResult again = new ChunkStore(directory).scan(false);

            System.out.printf("scan of %d chunks took %d ms, a second scan %d ms (%d threads, %d cores, %s)%n",
                    scan.chunks().size(), scan.took().toMillis(), again.took().toMillis(),
                    StoreScanner.defaultParallelism(), Runtime.getRuntime().availableProcessors(), root);
            assertThat(scan.chunks()).hasSize(CHUNKS);
            assertThat(scan.trashed()).isZero();
            assertThat(scan.chunks().stream().filter(c -> digest.equals(c.files().get("blocks.parquet"))).count())
                    .isEqualTo(CHUNKS);
            assertThat(scan.chunks().stream().map(c -> c.descriptor().id()).distinct().count()).isEqualTo(CHUNKS);
        }
    }
}
