package dev.worker.core;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A compact binary form of a chunk's descriptor and the digests of its files as written, for the store's own
 * integrity-checked files (the ready index). Reading trusts the bytes: names and URLs were validated when the
 * descriptor was accepted, and validating them again (URI parsing, a pattern per name) was most of the CPU time of
 * a restart over tens of thousands of chunks. Read only bytes that {@link #write} produced and a checksum vouches for.
 *
 * <p>Layout: id, dataset (32 bytes each), range start and end (i64), file count (i32), the URL prefix shared by all
 * files (string, or length -1 when the URLs are not one prefix plus each name), then per file: name, URL unless
 * shared, declared size (i64, -1 when not declared), flags (bit 0: a declared SHA-256 follows; bit 1: the written
 * file's SHA-256 is the declared one), written size (i64), the written SHA-256 unless bit 1. Strings are an i32
 * length and UTF-8 bytes.
 */
public final class DescriptorBinary {
    private static final int HAS_DECLARED_SHA = 1;
    private static final int WRITTEN_SHA_IS_DECLARED = 2;

    private DescriptorBinary() {
    }

    /** A descriptor as read back, with the digests of its files as written (an immutable map). */
    public record Decoded(ChunkDescriptor descriptor, Map<String, FileDigest> written) {
    }

    /** Writes {@code descriptor} and {@code written} (one digest per file of the descriptor). */
    public static void write(DataOutput out, ChunkDescriptor descriptor, Map<String, FileDigest> written)
            throws IOException {
        descriptor.id().bytes().writeTo(out);
        descriptor.datasetId().bytes().writeTo(out);
        out.writeLong(descriptor.range().start());
        out.writeLong(descriptor.range().end());
        out.writeInt(descriptor.files().size());
        String prefix = sharedPrefix(descriptor.files());
        if (prefix == null) {
            out.writeInt(-1);
        } else {
            writeString(out, prefix);
        }
        for (Map.Entry<String, FileSource> f : descriptor.files().entrySet()) {
            FileSource source = f.getValue();
            FileDigest digest = written.get(f.getKey());
            if (digest == null) {
                throw new IllegalArgumentException("chunk " + descriptor.id() + ": no digest for file " + f.getKey());
            }
            writeString(out, f.getKey());
            if (prefix == null) {
                writeString(out, source.url());
            }
            out.writeLong(source.size().orElse(-1));
            Bytes32 declared = source.sha256().orElse(null);
            boolean same = declared != null && declared.equals(digest.sha256());
            out.writeByte((declared != null ? HAS_DECLARED_SHA : 0) | (same ? WRITTEN_SHA_IS_DECLARED : 0));
            if (declared != null) {
                declared.writeTo(out);
            }
            out.writeLong(digest.size());
            if (!same) {
                digest.sha256().writeTo(out);
            }
        }
    }

    /**
     * Reads what {@link #write} wrote, leaving {@code in} after it.
     *
     * @throws IllegalArgumentException when the bytes are not in this layout (a bug or a bad checksum: the caller
     *                                  then falls back to the source of truth)
     */
    public static Decoded read(ByteBuffer in) {
        ChunkId id = new ChunkId(Bytes32.read(in));
        DatasetId dataset = new DatasetId(Bytes32.read(in));
        BlockRange range = new BlockRange(in.getLong(), in.getLong());
        int count = in.getInt();
        if (count < 1 || count > ChunkDescriptor.MAX_FILES) {
            throw new IllegalArgumentException("bad file count " + count);
        }
        String prefix = readString(in);
        String[] names = new String[count];
        FileSource[] sources = new FileSource[count];
        @SuppressWarnings({"unchecked", "rawtypes"}) // an array of a generic type can only be made raw
        Map.Entry<String, FileDigest>[] digests = new Map.Entry[count];
        for (int i = 0; i < count; i++) {
            String read = readString(in);
            String name = read == null ? null : FileNames.canonical(read);
            if (name == null || i > 0 && names[i - 1].compareTo(name) >= 0) {
                throw new IllegalArgumentException("file names are missing or out of order at " + i);
            }
            names[i] = name;
            String url = prefix == null ? readString(in) : null;
            long size = in.getLong();
            int flags = in.get();
            Bytes32 declared = (flags & HAS_DECLARED_SHA) != 0 ? Bytes32.read(in) : null;
            sources[i] = prefix != null ? new FileSource(prefix, name, size, declared)
                    : new FileSource(requireUrl(url), null, size, declared);
            long writtenSize = in.getLong();
            Bytes32 writtenSha = (flags & WRITTEN_SHA_IS_DECLARED) != 0 ? declared : Bytes32.read(in);
            if (writtenSha == null) {
                throw new IllegalArgumentException("file " + name + " has no written sha256");
            }
            digests[i] = Map.entry(name, new FileDigest(writtenSize, writtenSha));
        }
        ChunkDescriptor descriptor = new ChunkDescriptor(id, dataset, range, FileMap.ofSorted(names, sources));
        return new Decoded(descriptor, Map.ofEntries(digests));
    }

    /** The prefix all URLs share as one String (see {@link FileMap}), or null. */
    private static String sharedPrefix(Map<String, FileSource> files) {
        String prefix = null;
        for (Map.Entry<String, FileSource> f : files.entrySet()) {
            String p = f.getValue().sharedPrefix(f.getKey());
            if (p == null || prefix != null && !prefix.equals(p)) {
                return null;
            }
            prefix = p;
        }
        return prefix;
    }

    private static String requireUrl(String url) {
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException("a file has no url");
        }
        return url;
    }

    private static void writeString(DataOutput out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    /** The string, or null for length -1. */
    private static String readString(ByteBuffer in) {
        int length = in.getInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("bad string length " + length);
        }
        String s = in.hasArray()
                ? new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8)
                : StandardCharsets.UTF_8.decode(in.slice(in.position(), length)).toString();
        in.position(in.position() + length);
        return s;
    }
}
