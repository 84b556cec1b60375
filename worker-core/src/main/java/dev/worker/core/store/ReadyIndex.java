package dev.worker.core.store;

import static java.util.Objects.requireNonNull;

import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.FileDigest;
import dev.worker.core.FileSource;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ready.index}: a cache of what the published chunks' {@code chunk.json} files say, in a binary form that
 * decodes without a JSON parser, so a restart over tens of thousands of chunks need not parse each chunk.json.
 *
 * <p>Each entry carries the fingerprint (size, modification time, file key) of the chunk.json it was taken from;
 * the scan uses an entry only when the chunk.json on disk still has that fingerprint, and still checks every file's
 * size. The index is never the source of truth: a missing, torn or stale index only makes the scan parse
 * chunk.json files. Format: {@code "WKRI"}, u32 version, then frames {@code [u32 length][u32 CRC32C][entry]}.
 *
 * <p>Publishing appends an entry with a positional write at a reserved offset (no lock, no fsync: it is a cache);
 * the startup scan rewrites the file when it was out of date.
 */
final class ReadyIndex {
    static final String FILE_NAME = "ready.index";
    private static final Logger log = LoggerFactory.getLogger(ReadyIndex.class);
    private static final int MAGIC = 0x574B5249; // "WKRI"
    private static final int VERSION = 1;
    private static final int HEADER = 8;
    private static final int FINGERPRINT_BYTES = 24;

    /** What identifies one version of a chunk.json: its size, modification time and file key. */
    record Fingerprint(long size, long modifiedNanos, long fileKeyHash) {
        static Fingerprint of(BasicFileAttributes attrs) {
            Instant modified = attrs.lastModifiedTime().toInstant();
            long nanos = modified.getEpochSecond() * 1_000_000_000L + modified.getNano();
            return new Fingerprint(attrs.size(), nanos, String.valueOf(attrs.fileKey()).hashCode());
        }
    }

    /** One chunk as recorded: everything of a {@link StoredChunk} but its directory. */
    record Entry(ChunkDescriptor descriptor, Map<String, FileDigest> files, Instant completedAt,
            Fingerprint fingerprint) {
        StoredChunk at(Path dir) {
            return new StoredChunk(descriptor, dir, files, completedAt);
        }
    }

    /** An open index file and the offset where the next append goes. */
    private record Appender(FileChannel channel, AtomicLong end) {
    }

    private final Path file;
    // Published whole, so a thread that sees the channel also sees its initialised end offset.
    private final AtomicReference<Appender> appender = new AtomicReference<>();

    ReadyIndex(Path file) {
        this.file = requireNonNull(file, "file");
    }

    /**
     * An entry as read: its id and fingerprint at once, the rest decoded when used (by the scan threads, in
     * parallel, and only for chunks whose chunk.json is unchanged).
     */
    record Recorded(ChunkId id, Fingerprint fingerprint, ByteBuffer encoded) {
        Entry decode() {
            return ReadyIndex.decode(encoded.duplicate());
        }
    }

    /** The entries by chunk id (the last one of an id wins); empty when there is no usable index. */
    Map<ChunkId, Recorded> read() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            log.warn("cannot read the ready index; the scan parses every chunk.json file={}", file, e);
            return Map.of();
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < HEADER || in.getInt() != MAGIC || in.getInt() != VERSION) {
            log.warn("the ready index has an unknown header; the scan parses every chunk.json file={}", file);
            return Map.of();
        }
        Map<ChunkId, Recorded> entries = HashMap.newHashMap(bytes.length / 300);
        CRC32C crc = new CRC32C();
        while (in.remaining() >= 8) {
            int length = in.getInt();
            int expected = in.getInt();
            if (length <= 0 || length > in.remaining()) {
                break; // a torn append: what follows is not trusted
            }
            crc.reset();
            crc.update(bytes, in.position(), length);
            if ((int) crc.getValue() != expected) {
                break;
            }
            ByteBuffer entry = in.slice(in.position(), length);
            in.position(in.position() + length);
            if (length < 32 + FINGERPRINT_BYTES) {
                break;
            }
            // The id leads an entry and the fingerprint ends it (see encode).
            ChunkId id = new ChunkId(readBytes32(entry.duplicate()));
            ByteBuffer tail = entry.slice(length - FINGERPRINT_BYTES, FINGERPRINT_BYTES);
            entries.put(id, new Recorded(id, new Fingerprint(tail.getLong(), tail.getLong(), tail.getLong()), entry));
        }
        return entries;
    }

    /** Replaces the index by these entries (written to a side file, then renamed; no fsync: it is a cache). */
    void rewrite(Collection<Entry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, entries.size() * 400));
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        for (Entry e : entries) {
            data.write(frame(e));
        }
        Path side = file.resolveSibling(FILE_NAME + ".new");
        Files.write(side, out.toByteArray());
        Files.move(side, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        closeAppender();
    }

    /**
     * Appends an entry for a chunk just published. Thread-safe without a lock: each append reserves its own byte
     * range. Failures are logged, not thrown: the next scan parses that chunk's chunk.json instead.
     */
    void append(Entry e) {
        try {
            Appender target = appender();
            byte[] frame = frame(e);
            long at = target.end().getAndAdd(frame.length);
            ByteBuffer buffer = ByteBuffer.wrap(frame);
            while (buffer.hasRemaining()) {
                at += target.channel().write(buffer, at);
            }
        } catch (IOException | RuntimeException ex) {
            log.warn("cannot append to the ready index; the next start parses this chunk's chunk.json chunk={}",
                    e.descriptor().id(), ex);
        }
    }

    void closeAppender() {
        Appender current = appender.getAndSet(null);
        if (current != null) {
            try {
                current.channel().close();
            } catch (IOException e) {
                log.debug("closing the ready index appender failed file={}", file, e);
            }
        }
    }

    private Appender appender() throws IOException {
        Appender current = appender.get();
        if (current != null) {
            return current;
        }
        FileChannel opened = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long size = opened.size();
        if (size < HEADER) {
            opened.write(ByteBuffer.allocate(HEADER).putInt(MAGIC).putInt(VERSION).flip(), 0);
            size = HEADER;
        }
        Appender fresh = new Appender(opened, new AtomicLong(size));
        if (appender.compareAndSet(null, fresh)) {
            return fresh;
        }
        opened.close();
        return appender.get();
    }

    // ---- binary entry codec ----------------------------------------------------------------------------------

    private static byte[] frame(Entry e) {
        byte[] payload = encode(e);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return ByteBuffer.allocate(8 + payload.length).putInt(payload.length).putInt((int) crc.getValue())
                .put(payload).array();
    }

    static byte[] encode(Entry e) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            ChunkDescriptor d = e.descriptor();
            writeBytes32(out, d.id().bytes());
            writeBytes32(out, d.datasetId().bytes());
            out.writeLong(d.range().start());
            out.writeLong(d.range().end());
            out.writeInt(d.files().size());
            for (Map.Entry<String, FileSource> f : d.files().entrySet()) {
                FileSource source = f.getValue();
                FileDigest digest = e.files().get(f.getKey());
                writeString(out, f.getKey());
                writeString(out, source.url());
                out.writeLong(source.size().orElse(-1));
                out.writeBoolean(source.sha256().isPresent());
                if (source.sha256().isPresent()) {
                    writeBytes32(out, source.sha256().get());
                }
                out.writeLong(digest.size());
                writeBytes32(out, digest.sha256());
            }
            out.writeLong(e.completedAt().getEpochSecond());
            out.writeInt(e.completedAt().getNano());
            out.writeLong(e.fingerprint().size());
            out.writeLong(e.fingerprint().modifiedNanos());
            out.writeLong(e.fingerprint().fileKeyHash());
            return bytes.toByteArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // writing to memory
        }
    }

    static Entry decode(ByteBuffer in) {
        ChunkId id = new ChunkId(readBytes32(in));
        DatasetId dataset = new DatasetId(readBytes32(in));
        BlockRange range = new BlockRange(in.getLong(), in.getLong());
        int count = in.getInt();
        if (count < 1 || count > ChunkDescriptor.MAX_FILES) {
            throw new IllegalArgumentException("bad file count " + count);
        }
        TreeMap<String, FileSource> sources = new TreeMap<>();
        Map<String, FileDigest> digests = new HashMap<>();
        for (int i = 0; i < count; i++) {
            String name = readString(in);
            String url = readString(in);
            long size = in.getLong();
            Optional<Bytes32> sha = in.get() != 0 ? Optional.of(readBytes32(in)) : Optional.empty();
            sources.put(name, new FileSource(url, size < 0 ? OptionalLong.empty() : OptionalLong.of(size), sha));
            digests.put(name, new FileDigest(in.getLong(), readBytes32(in)));
        }
        Instant completedAt = Instant.ofEpochSecond(in.getLong(), in.getInt());
        Fingerprint fingerprint = new Fingerprint(in.getLong(), in.getLong(), in.getLong());
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes after the entry");
        }
        return new Entry(new ChunkDescriptor(id, dataset, range, sources), digests, completedAt, fingerprint);
    }

    private static void writeBytes32(DataOutputStream out, Bytes32 b) throws IOException {
        out.writeLong(b.w0());
        out.writeLong(b.w1());
        out.writeLong(b.w2());
        out.writeLong(b.w3());
    }

    private static Bytes32 readBytes32(ByteBuffer in) {
        return new Bytes32(in.getLong(), in.getLong(), in.getLong(), in.getLong());
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("bad string length " + length);
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }
}
