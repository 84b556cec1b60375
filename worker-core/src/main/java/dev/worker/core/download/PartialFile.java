package dev.worker.core.download;

import dev.worker.core.Bytes32;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One file of a download on disk, with the SHA-256 of what it holds so far. Owned by the file's transfer thread;
 * not thread-safe. A write channel is open between {@link #open()} and {@link #close()} (one attempt).
 */
final class PartialFile {
    private static final int REHASH_BUFFER = 1 << 20;

    private final Path path;
    private final ChannelOpener opener;
    // INVARIANT: digest has consumed exactly the bytes [0, length) of the file, and those bytes are on disk (written,
    // not necessarily forced). Bytes past length (a write that failed half-way) are cut off by the next open().
    private MessageDigest digest = newDigest();
    private long length;
    private FileChannel channel;

    PartialFile(Path path, ChannelOpener opener) {
        this.path = path;
        this.opener = opener;
    }

    Path path() {
        return path;
    }

    /** Bytes on disk that are hashed and count as received. */
    long length() {
        return length;
    }

    /** The file's size as the file system sees it; 0 when it does not exist. */
    long sizeOnDisk() throws IOException {
        try {
            return Files.size(path);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** Cuts the file to {@code keep} bytes and hashes them: what an earlier run left becomes the resume point. */
    void adopt(long keep) throws IOException {
        MessageDigest fresh = newDigest();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(REHASH_BUFFER, Math.max(keep, 1)));
        try (FileChannel in = opener.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            in.truncate(keep);
            long position = 0;
            while (position < keep) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), keep - position));
                int n = in.read(buffer, position);
                if (n < 0) {
                    throw new IOException("file " + path + " ended at " + position + " bytes, expected " + keep);
                }
                fresh.update(buffer.array(), 0, n);
                position += n;
            }
        }
        digest = fresh;
        length = keep;
    }

    /** Forgets every byte: the file restarts from byte 0 (cut at once when open, else on the next open). */
    void restart() throws IOException {
        digest = newDigest();
        length = 0;
        if (channel != null) {
            channel.truncate(0);
        }
    }

    /** Opens the file for writing at {@link #length()}, dropping anything past it. */
    void open() throws IOException {
        if (channel != null) {
            throw new IllegalStateException("file already open: " + path);
        }
        Path parent = path.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        FileChannel ch = opener.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (ch.size() > length) {
                ch.truncate(length);
            }
        } catch (IOException e) {
            closeQuietly(ch, e);
            throw e;
        }
        channel = ch;
    }

    /** Writes all of {@code bytes} (position to limit) at the end and hashes them; consumes the buffer. */
    void append(ByteBuffer bytes) throws IOException {
        ByteBuffer hashView = bytes.duplicate();
        long position = length;
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
        digest.update(hashView);
        length = position;
    }

    /** The SHA-256 of the bytes so far; the running state is kept, so more bytes can follow. */
    Bytes32 sha256() {
        try {
            return Bytes32.fromBytes(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest not cloneable", e);
        }
    }

    /** fsync: data and metadata. */
    void force() throws IOException {
        channel.force(true);
    }

    void close() throws IOException {
        FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
    }

    private static void closeQuietly(FileChannel ch, IOException primary) {
        try {
            ch.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
