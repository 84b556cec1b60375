package dev.worker.reliability.crash;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.FileSource;
import dev.worker.reliability.harness.ChunkContent;
import dev.worker.testkit.DataDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The data directory exactly as a kill left it (the process is dead, nothing moves): what was in progress, and
 * whether anything under {@code chunks/} is torn. A published chunk must be complete at every instant, since
 * publishing is one rename of a finished directory and removal starts with one rename out.
 */
record CrashSite(List<String> problems, Set<String> phases) {
    static CrashSite inspect(DataDir dir, ChunkContent content) {
        List<String> problems = new ArrayList<>();
        Set<String> phases = new TreeSet<>();
        for (String name : dir.list(dir.chunks())) {
            Optional<ChunkId> id = parse(name);
            if (id.isEmpty()) {
                problems.add("chunks/" + name + " is not a chunk id");
                continue;
            }
            content.check(id.get(), dir.chunks().resolve(name), true)
                    .ifPresent(p -> problems.add("published chunk is torn: " + p));
        }
        for (String name : dir.list(dir.tmp())) {
            Path entry = dir.tmp().resolve(name);
            if (!Files.isDirectory(entry)) {
                continue; // resume files
            }
            if (Files.exists(entry.resolve("chunk.json"))) {
                phases.add("publish:chunk.json_written");
                continue;
            }
            Optional<ChunkId> id = parse(name.substring(0, Math.min(64, name.length())));
            Optional<ChunkDescriptor> d = id.flatMap(content::descriptor);
            if (d.isEmpty()) {
                continue;
            }
            if (complete(entry, d.get())) {
                phases.add("publish:files_complete");
            } else if (DataDir.sizeOf(entry) > 0) {
                phases.add("transfer:partial_files");
            } else {
                phases.add("transfer:starting");
            }
        }
        if (!dir.list(dir.trash()).isEmpty()) {
            phases.add("removal:trash_not_empty");
        }
        return new CrashSite(problems, phases);
    }

    private static boolean complete(Path entry, ChunkDescriptor d) {
        for (Map.Entry<String, FileSource> f : d.files().entrySet()) {
            try {
                if (Files.size(entry.resolve(f.getKey())) != f.getValue().size().orElse(-1)) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static Optional<ChunkId> parse(String name) {
        try {
            return Optional.of(ChunkId.parse(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
