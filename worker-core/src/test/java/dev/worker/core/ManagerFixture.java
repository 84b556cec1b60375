package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.testkit.Await;
import dev.worker.testkit.FileServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** A data dir, a file server and helpers to make chunks it serves. */
final class ManagerFixture implements AutoCloseable {
    final Path dataDir;
    final FileServer server;
    private final Map<ChunkId, Map<String, byte[]>> contents = new java.util.concurrent.ConcurrentHashMap<>();

    ManagerFixture(Path dataDir) throws IOException {
        this.dataDir = dataDir;
        this.server = FileServer.start();
    }

    ManagerConfig.Builder config() {
        return ManagerConfig.builder(dataDir)
                .minFreeBytes(0)
                .stallTimeout(Duration.ofSeconds(2))
                .connectTimeout(Duration.ofSeconds(2))
                .retryBase(Duration.ofMillis(20))
                .retryCap(Duration.ofMillis(200))
                .randomSeed(7);
    }

    WorkerDataManager open() throws IOException {
        return WorkerDataManager.open(config().build());
    }

    /** A chunk of {@code files} files of {@code size} bytes each, served at /name/f<i>, sizes and sha256 declared. */
    ChunkDescriptor chunk(String name, String dataset, long start, long end, int files, int size) {
        SplittableRandom random = new SplittableRandom(name.hashCode());
        TreeMap<String, FileSource> sources = new TreeMap<>();
        Map<String, byte[]> bytes = new TreeMap<>();
        for (int i = 0; i < files; i++) {
            byte[] content = new byte[size];
            random.nextBytes(content);
            String path = "/" + name + "/f" + i;
            server.serve(path, content);
            sources.put("f" + i, FileSource.of(server.url(path), content.length, TestChunks.sha256Bytes(content)));
            bytes.put("f" + i, content);
        }
        ChunkDescriptor d = new ChunkDescriptor(TestChunks.chunkId(name), TestChunks.datasetId(dataset),
                new BlockRange(start, end), sources);
        contents.put(d.id(), bytes);
        return d;
    }

    FileServer.ServedFile file(String name, int index) {
        return server.serve("/" + name + "/f" + index, contents.get(TestChunks.chunkId(name)).get("f" + index));
    }

    /** The bytes the chunk's files must have. */
    Map<String, byte[]> contentOf(ChunkId id) {
        return contents.get(id);
    }

    void assertContent(ChunkRef ref) {
        contentOf(ref.id()).forEach((name, expected) -> {
            try {
                assertThat(Files.readAllBytes(ref.file(name))).as("%s/%s", ref.id(), name).isEqualTo(expected);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    List<Path> list(String sub) {
        Path dir = dataDir.resolve(sub);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link Await#until} with the fixture's timeout. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(20), condition);
    }

    static void awaitState(DataManager manager, ChunkId id, ChunkState state) throws InterruptedException {
        await(id + " " + state.wireName(), () -> manager.status(id).map(ChunkStatus::state).orElse(ChunkState.ABSENT)
                == state);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
