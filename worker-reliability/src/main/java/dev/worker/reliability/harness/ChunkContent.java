package dev.worker.reliability.harness;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.FileSource;
import dev.worker.mock.ContentGenerator;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What every chunk of the mock's set must hold, byte for byte: checks a chunk directory on disk against the
 * generator that the storage serves from. Thread-safe.
 */
public final class ChunkContent {
    private static final int BLOCK = 1 << 20;

    private final ContentGenerator generator;
    private final Map<ChunkId, ChunkDescriptor> chunks = new HashMap<>();

    public ChunkContent(ContentGenerator generator, List<ChunkDescriptor> manifest) {
        this.generator = requireNonNull(generator, "generator");
        manifest.forEach(d -> chunks.put(d.id(), d));
    }

    public Optional<ChunkDescriptor> descriptor(ChunkId id) {
        return Optional.ofNullable(chunks.get(id));
    }

    /**
     * What is wrong with {@code dir} as chunk {@code id}: an unknown id, a missing {@code chunk.json}, a missing or
     * short or long file, or the first differing byte; empty when every file is complete and correct.
     */
    public Optional<String> check(ChunkId id, Path dir, boolean needChunkJson) {
        ChunkDescriptor d = chunks.get(id);
        if (d == null) {
            return Optional.of("chunk " + id + " is not in the storage's manifest");
        }
        if (needChunkJson && !java.nio.file.Files.isRegularFile(dir.resolve("chunk.json"))) {
            return Optional.of("chunk " + id + ": " + dir + " has no chunk.json");
        }
        for (Map.Entry<String, FileSource> file : d.files().entrySet()) {
            Optional<String> problem = checkFile(dir.resolve(file.getKey()), file.getValue());
            if (problem.isPresent()) {
                return Optional.of("chunk " + id + " file " + file.getKey() + ": " + problem.get());
            }
        }
        return Optional.empty();
    }

    private Optional<String> checkFile(Path path, FileSource source) {
        String urlPath = URI.create(source.url()).getPath();
        OptionalLong size = source.size();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long length = ch.size();
            if (size.isPresent() && length != size.getAsLong()) {
                return Optional.of("has " + length + " bytes, expected " + size.getAsLong());
            }
            ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
            long offset = 0;
            while (true) {
                buffer.clear();
                int n = ch.read(buffer, offset);
                if (n <= 0) {
                    break;
                }
                buffer.flip();
                long mismatch = generator.firstMismatch(urlPath, offset, buffer);
                if (mismatch >= 0) {
                    return Optional.of("byte " + mismatch + " differs from the storage's");
                }
                offset += n;
            }
            if (offset != length) {
                return Optional.of("read " + offset + " bytes of " + length);
            }
            return Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.of("missing");
        } catch (IOException e) {
            return Optional.of("cannot read: " + e);
        }
    }
}
