package dev.worker.daemon.catalog;

import static java.util.Objects.requireNonNull;

import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.FileNames;
import dev.worker.core.FileSource;
import dev.worker.core.source.S3Location;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chunk descriptors from a bucket listing (what {@code worker catalog} prints). A folder whose name begins with a
 * block range, {@code <start>-<end>} as in SQD's {@code 0000000000-0000009999-<hash>}, is one chunk; the objects
 * directly in it are its files, with their sizes. SQD's {@code end} is the last block of the chunk (inclusive), so
 * the chunk's half-open range is {@code [start, end + 1)}. Objects elsewhere (not directly in such a folder) are
 * skipped and counted; so is a folder whose files cannot form a descriptor (more than 64 files, or a file name the
 * store does not accept), with the reason.
 *
 * <p>Ids are derived, so the same listing always gives the same ids, and a rewritten object a new one. The dataset
 * id is the {@code --dataset} value when it is 64 hex digits, else the SHA-256 of {@code "worker-dataset\n" + name};
 * the chunk id is the SHA-256 of the lines {@code worker-chunk-v1}, {@code dataset=<dataset id>},
 * {@code range=<start>-<end exclusive>}, {@code folder=s3://<bucket>/<folder key>/} and, per file in name order,
 * {@code file=<name> <size> <etag>}, each line ending in a newline.
 */
public final class Catalog {
    private static final Pattern RANGE_FOLDER = Pattern.compile("(\\d{1,18})-(\\d{1,18})(?:-.*)?");

    /** The descriptors and what was left out. */
    public record Result(List<ChunkDescriptor> chunks, long skippedObjects, List<String> skippedFolders) {
        public Result {
            chunks = List.copyOf(chunks);
            skippedFolders = List.copyOf(skippedFolders);
        }
    }

    private Catalog() {
    }

    /** The dataset id a name stands for (see the class comment). */
    public static DatasetId datasetId(String name) {
        requireNonNull(name, "name");
        if (name.matches("[0-9a-fA-F]{64}")) {
            return DatasetId.parse(name);
        }
        return new DatasetId(sha256("worker-dataset\n" + name));
    }

    /** Groups {@code objects} of {@code bucket} into chunks of {@code dataset}. */
    public static Result build(String bucket, DatasetId dataset, List<ListedObject> objects) {
        Map<String, List<ListedObject>> folders = new TreeMap<>();
        long skipped = 0;
        for (ListedObject object : objects) {
            int slash = object.key().lastIndexOf('/');
            String folder = slash < 0 ? "" : object.key().substring(0, slash);
            String folderName = folder.substring(folder.lastIndexOf('/') + 1);
            if (slash < 0 || slash == object.key().length() - 1 || !RANGE_FOLDER.matcher(folderName).matches()) {
                skipped++;
                continue;
            }
            folders.computeIfAbsent(folder, f -> new ArrayList<>()).add(object);
        }
        List<ChunkDescriptor> chunks = new ArrayList<>();
        List<String> skippedFolders = new ArrayList<>();
        for (Map.Entry<String, List<ListedObject>> folder : folders.entrySet()) {
            String where = "s3://" + bucket + "/" + folder.getKey() + "/";
            Optional<String> problem = problem(folder.getValue());
            if (problem.isPresent()) {
                skippedFolders.add(where + ": " + problem.get());
                skipped += folder.getValue().size();
                continue;
            }
            chunks.add(chunk(bucket, dataset, folder.getKey(), folder.getValue()));
        }
        chunks.sort(Comparator.comparingLong((ChunkDescriptor c) -> c.range().start())
                .thenComparing(c -> c.id().toString()));
        return new Result(chunks, skipped, skippedFolders);
    }

    private static Optional<String> problem(List<ListedObject> files) {
        if (files.size() > ChunkDescriptor.MAX_FILES) {
            return Optional.of(files.size() + " files, more than a chunk may have (" + ChunkDescriptor.MAX_FILES + ")");
        }
        for (ListedObject file : files) {
            try {
                FileNames.check(name(file));
            } catch (IllegalArgumentException e) {
                return Optional.of(e.getMessage());
            }
        }
        return Optional.empty();
    }

    private static ChunkDescriptor chunk(String bucket, DatasetId dataset, String folder, List<ListedObject> files) {
        Matcher m = RANGE_FOLDER.matcher(folder.substring(folder.lastIndexOf('/') + 1));
        if (!m.matches()) {
            throw new IllegalStateException("not a block-range folder: " + folder);
        }
        long start = Long.parseLong(m.group(1));
        long lastBlock = Long.parseLong(m.group(2));
        BlockRange range = new BlockRange(start, lastBlock + 1);
        List<ListedObject> sorted = files.stream().sorted(Comparator.comparing(Catalog::name)).toList();
        StringBuilder canonical = new StringBuilder("worker-chunk-v1\n")
                .append("dataset=").append(dataset).append('\n')
                .append("range=").append(range.start()).append('-').append(range.end()).append('\n')
                .append("folder=s3://").append(bucket).append('/').append(folder).append("/\n");
        Map<String, FileSource> sources = new TreeMap<>();
        for (ListedObject file : sorted) {
            canonical.append("file=").append(name(file)).append(' ').append(file.size()).append(' ')
                    .append(file.etag()).append('\n');
            sources.put(name(file), new FileSource(new S3Location(bucket, file.key()).url(),
                    OptionalLong.of(file.size()), Optional.empty()));
        }
        return ChunkDescriptor.of(new ChunkId(sha256(canonical.toString())), dataset, range, sources);
    }

    private static String name(ListedObject object) {
        return object.key().substring(object.key().lastIndexOf('/') + 1);
    }

    private static Bytes32 sha256(String text) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return Bytes32.fromBytes(sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
