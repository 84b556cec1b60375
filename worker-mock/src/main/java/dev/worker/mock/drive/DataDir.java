package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.FileSource;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The daemon's data directory as the driver inspects it (read-only): {@code chunks/<id>/} for published chunks,
 * {@code tmp/} for downloads in progress (with {@code <id>.<n>.resume} files), {@code trash/} for removals.
 */
final class DataDir {
    static final String RESUME_SUFFIX = ".resume";

    private final Path root;

    DataDir(Path root) {
        this.root = requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    Path chunkDir(ChunkId chunk) {
        return root.resolve("chunks").resolve(chunk.toString());
    }

    /** Whether {@code reported} (a path the daemon answered) is this directory's {@code chunks/<id>}. */
    boolean isChunkDir(Path reported, ChunkId chunk) {
        Path expected = chunkDir(chunk);
        if (reported.toAbsolutePath().normalize().equals(expected)) {
            return true;
        }
        try {
            return Files.isSameFile(reported, expected);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * What is wrong with a held chunk's directory: it must be this directory's {@code chunks/<id>}, and hold each
     * file of {@code descriptor} (when known) as a regular file of its declared size. Sizes only: this runs while
     * the lease is held, and must not take long.
     */
    List<String> heldFileProblems(Path reported, ChunkId chunk, ChunkDescriptor descriptor) {
        List<String> problems = new ArrayList<>();
        if (!isChunkDir(reported, chunk)) {
            problems.add("the daemon reports " + reported + ", not " + chunkDir(chunk));
        }
        if (!Files.isDirectory(reported, LinkOption.NOFOLLOW_LINKS)) {
            problems.add(reported + " is not a directory");
            return problems;
        }
        if (descriptor == null) {
            return problems;
        }
        for (Map.Entry<String, FileSource> file : descriptor.files().entrySet()) {
            Path path = reported.resolve(file.getKey());
            try {
                BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (!attrs.isRegularFile()) {
                    problems.add(path + " is not a regular file");
                } else if (file.getValue().size().isPresent() && attrs.size() != file.getValue().size().getAsLong()) {
                    problems.add(path + " has " + attrs.size() + " bytes, the manifest says "
                            + file.getValue().size().getAsLong());
                }
            } catch (NoSuchFileException e) {
                problems.add(path + " is missing");
            } catch (IOException e) {
                problems.add("cannot read " + path + ": " + e);
            }
        }
        return problems;
    }

    /**
     * What the directory holds beyond the ready chunks {@code ready}.
     *
     * @throws IOException when a directory cannot be listed (a missing one counts as empty)
     */
    Residue residue(Set<ChunkId> ready) throws IOException {
        Set<String> readyNames = new TreeSet<>();
        ready.forEach(id -> readyNames.add(id.toString()));
        List<String> chunks = new ArrayList<>();
        for (String name : list(root.resolve("chunks"))) {
            if (!readyNames.contains(name)) {
                chunks.add(name);
            }
        }
        List<String> tmpEntries = list(root.resolve("tmp"));
        Set<String> tmpNames = new TreeSet<>(tmpEntries);
        List<String> tmp = new ArrayList<>();
        List<String> orphans = new ArrayList<>();
        for (String name : tmpEntries) {
            if (name.endsWith(RESUME_SUFFIX)
                    && !tmpNames.contains(name.substring(0, name.length() - RESUME_SUFFIX.length()))) {
                orphans.add(name);
            } else {
                tmp.add(name);
            }
        }
        return new Residue(chunks, tmp, orphans, list(root.resolve("trash")));
    }

    private static List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        names.sort(null);
        return names;
    }
}
