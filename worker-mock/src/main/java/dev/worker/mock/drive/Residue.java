package dev.worker.mock.drive;

import java.util.List;

/**
 * What a data directory holds beyond its ready chunks, once everything has settled.
 *
 * @param chunks       entries of {@code chunks/} that are not ready chunks (names)
 * @param tmp          entries of {@code tmp/}: partial downloads and their resume files
 * @param orphanResume {@code tmp/*.resume} files without their download directory (harmless leftovers)
 * @param trash        entries of {@code trash/}
 */
record Residue(List<String> chunks, List<String> tmp, List<String> orphanResume, List<String> trash) {
    Residue {
        chunks = List.copyOf(chunks);
        tmp = List.copyOf(tmp);
        orphanResume = List.copyOf(orphanResume);
        trash = List.copyOf(trash);
    }

    /** Nothing but orphaned resume files. */
    boolean clean() {
        return chunks.isEmpty() && tmp.isEmpty() && trash.isEmpty();
    }
}
