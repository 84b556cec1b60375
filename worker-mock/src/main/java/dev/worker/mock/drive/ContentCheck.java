package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a published chunk's directory against its manifest descriptor: every file present as a regular file with
 * the declared size and SHA-256, and nothing else but {@code chunk.json}.
 */
final class ContentCheck {
    static final String CHUNK_JSON = "chunk.json";
    private static final int BUFFER = 256 * 1024;

    private ContentCheck() {
    }

    /**
     * The outcome for one chunk.
     *
     * @param files    files read
     * @param bytes    bytes hashed
     * @param problems what does not match, one line each
     */
    record Result(long files, long bytes, List<String> problems) {
        Result {
            problems = List.copyOf(problems);
        }
    }

    /** Reads and hashes every file of {@code descriptor} under {@code dir}. */
    static Result verify(Path dir, ChunkDescriptor descriptor) throws InterruptedException {
        requireNonNull(dir, "dir");
        requireNonNull(descriptor, "descriptor");
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return new Result(0, 0, List.of(dir + " is missing or not a directory"));
        }
        List<String> problems = new ArrayList<>();
        long files = 0;
        long bytes = 0;
        for (Map.Entry<String, FileSource> file : descriptor.files().entrySet()) {
            Path path = dir.resolve(file.getKey());
            FileSource source = file.getValue();
            try {
                BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (!attrs.isRegularFile()) {
                    problems.add(path + " is not a regular file");
                    continue;
                }
                if (source.size().isPresent() && attrs.size() != source.size().getAsLong()) {
                    problems.add(path + " has " + attrs.size() + " bytes, the manifest says "
                            + source.size().getAsLong());
                    continue;
                }
                files++;
                if (source.sha256().isPresent()) {
                    Bytes32 actual = sha256(path);
                    bytes += attrs.size();
                    if (!actual.equals(source.sha256().get())) {
                        problems.add(path + " has sha256 " + actual + ", the manifest says " + source.sha256().get());
                    }
                }
            } catch (NoSuchFileException e) {
                problems.add(path + " is missing");
            } catch (IOException e) {
                problems.add("cannot read " + path + ": " + e);
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.equals(CHUNK_JSON) && !descriptor.files().containsKey(name)) {
                    problems.add(entry + " is not a file of the chunk");
                }
            }
        } catch (IOException e) {
            problems.add("cannot list " + dir + ": " + e);
        }
        return new Result(files, bytes, problems);
    }

    private static Bytes32 sha256(Path path) throws IOException, InterruptedException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-256", e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (channel.read(buffer.clear()) >= 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while hashing " + path);
                }
                digest.update(buffer.flip());
            }
        }
        return Bytes32.fromBytes(digest.digest());
    }
}
