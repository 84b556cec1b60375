package dev.worker.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The daemon's data directory as tests and suites see it from outside (docs/architecture.md has the layout):
 * listings and snapshots, no interpretation.
 */
public final class DataDir {
    private final Path root;
    private final Path chunks;
    private final Path tmp;
    private final Path trash;

    public DataDir(Path root) {
        this.root = requireNonNull(root, "root");
        this.chunks = root.resolve("chunks");
        this.tmp = root.resolve("tmp");
        this.trash = root.resolve("trash");
    }

    public Path root() {
        return root;
    }

    /** {@code chunks/}: one directory per published chunk, named by its id. */
    public Path chunks() {
        return chunks;
    }

    /** {@code tmp/}: downloads in progress. */
    public Path tmp() {
        return tmp;
    }

    /** {@code trash/}: chunks being removed. */
    public Path trash() {
        return trash;
    }

    /** Names in {@code chunks/}, {@code tmp/} or {@code trash/}; empty when the directory does not exist. */
    public List<String> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every file under the root but {@code LOCK}, with its size: {@code "chunks/<id>/f 1234"}; directories end with
     * {@code /}. Tolerates files vanishing during the walk (they are left out).
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        walk(root, "", out);
        return out;
    }

    private static void walk(Path dir, String prefix, Map<String, Long> out) {
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(entries::add);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path p : entries) {
            String name = prefix + p.getFileName();
            if (name.equals("LOCK")) {
                continue;
            }
            if (Files.isDirectory(p)) {
                out.put(name + "/", 0L);
                walk(p, name + "/", out);
            } else {
                try {
                    out.put(name, Files.size(p));
                } catch (NoSuchFileException e) {
                    // Gone meanwhile.
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** Bytes of regular files under {@code dir}. */
    public static long sizeOf(Path dir) {
        long[] total = new long[1];
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(p -> {
                try {
                    if (Files.isRegularFile(p)) {
                        total[0] += Files.size(p);
                    }
                } catch (IOException e) {
                    // Gone meanwhile.
                }
            });
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | UncheckedIOException e) {
            return total[0];
        }
        return total[0];
    }
}
