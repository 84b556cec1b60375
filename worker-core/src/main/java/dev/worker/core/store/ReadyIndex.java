package dev.worker.core.store;

import static java.util.Objects.requireNonNull;

import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DescriptorBinary;
import dev.worker.core.FileDigest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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
import java.util.concurrent.TimeUnit;
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
    private static final int VERSION = 2; // 2: descriptors in DescriptorBinary form, file key hash
    private static final int HEADER = 8;
    private static final int FINGERPRINT_BYTES = 24;
    private static final VarHandle BIG_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class,
            ByteOrder.BIG_ENDIAN);
    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.BIG_ENDIAN);

    /** What identifies one version of a chunk.json: its size, modification time and file key. */
    record Fingerprint(long size, long modifiedNanos, long fileKeyHash) {
        static Fingerprint of(BasicFileAttributes attrs) {
            long nanos = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
            // The key's own hash (device and inode, where the platform has them): no string per chunk at startup.
            return new Fingerprint(attrs.size(), nanos, java.util.Objects.hashCode(attrs.fileKey()));
        }

        // Written out: the generated one goes through method handles, slow in a freshly started JVM (see Bytes32).
        @Override
        public boolean equals(Object o) {
            return o instanceof Fingerprint f && size == f.size && modifiedNanos == f.modifiedNanos
                    && fileKeyHash == f.fileKeyHash;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(size) * 961 + Long.hashCode(modifiedNanos) * 31 + Long.hashCode(fileKeyHash);
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
     * An entry as read: its id and fingerprint at once, the rest ({@code bytes[offset, offset + length)}) decoded when
     * used (by the scan threads, in parallel, and only for chunks whose chunk.json is unchanged).
     */
    record Recorded(ChunkId id, Fingerprint fingerprint, byte[] bytes, int offset, int length) {
        Entry decode() {
            return ReadyIndex.decode(ByteBuffer.wrap(bytes, offset, length));
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
        if (bytes.length < HEADER || (int) BIG_ENDIAN_INT.get(bytes, 0) != MAGIC
                || (int) BIG_ENDIAN_INT.get(bytes, 4) != VERSION) {
            log.warn("the ready index has an unknown header; the scan parses every chunk.json file={}", file);
            return Map.of();
        }
        Map<ChunkId, Recorded> entries = HashMap.newHashMap(bytes.length / 300);
        CRC32C crc = new CRC32C();
        // The loop's body is a method of its own: a loop run once is interpreted in a fresh JVM (it never reaches
        // the on-stack compilation threshold), while a method called this often is compiled after a few hundred.
        for (int at = HEADER; at >= 0; ) {
            at = readFrame(bytes, at, crc, entries);
        }
        return entries;
    }

    /** Reads the frame at {@code at} into {@code entries}; the offset of the next frame, or -1 at the end. */
    private static int readFrame(byte[] bytes, int at, CRC32C crc, Map<ChunkId, Recorded> entries) {
        if (bytes.length - at < 8) {
            return -1;
        }
        int length = (int) BIG_ENDIAN_INT.get(bytes, at);
        int expected = (int) BIG_ENDIAN_INT.get(bytes, at + 4);
        int start = at + 8;
        if (length < 32 + FINGERPRINT_BYTES || length > bytes.length - start) {
            return -1; // a torn append: what follows is not trusted
        }
        crc.reset();
        crc.update(bytes, start, length);
        if ((int) crc.getValue() != expected) {
            return -1;
        }
        // The id leads an entry and the fingerprint ends it (see encode).
        ChunkId id = new ChunkId(new Bytes32(longAt(bytes, start), longAt(bytes, start + 8), longAt(bytes, start + 16),
                longAt(bytes, start + 24)));
        int tail = start + length - FINGERPRINT_BYTES;
        Fingerprint fingerprint = new Fingerprint(longAt(bytes, tail), longAt(bytes, tail + 8),
                longAt(bytes, tail + 16));
        entries.put(id, new Recorded(id, fingerprint, bytes, start, length));
        return start + length;
    }

    private static long longAt(byte[] bytes, int at) {
        return (long) BIG_ENDIAN_LONG.get(bytes, at);
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
            DescriptorBinary.write(out, e.descriptor(), e.files());
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
        DescriptorBinary.Decoded decoded = DescriptorBinary.read(in);
        Instant completedAt = Instant.ofEpochSecond(in.getLong(), in.getInt());
        Fingerprint fingerprint = new Fingerprint(in.getLong(), in.getLong(), in.getLong());
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes after the entry");
        }
        return new Entry(decoded.descriptor(), decoded.written(), completedAt, fingerprint);
    }


}
