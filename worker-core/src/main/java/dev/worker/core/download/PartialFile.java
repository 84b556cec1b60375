package dev.worker.core.download;

import dev.worker.core.Bytes32;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One file of a download on disk, with the SHA-256 of what it holds so far. Owned by the file's transfer thread;
 * not thread-safe. A write channel is open between {@link #open()} and {@link #close()} (one attempt).
 *
 * <p>Given a block size, the file is written with direct I/O (O_DIRECT) while its length is a multiple of it: the
 * bytes go from the staging buffer to the device without being copied into the page cache, which on a fast link
 * is the largest CPU cost of a download after SHA-256. Direct writes must be whole, aligned blocks
 * ({@link #writeAlignment()}); a file's last partial block is written after {@link #endDirect()}. Where direct I/O
 * is not available (tmpfs, other systems) the file is written through the page cache as before.
 */
final class PartialFile {
    private static final Logger log = LoggerFactory.getLogger(PartialFile.class);
    private static final int REHASH_BUFFER = 1 << 20;
    /**
     * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT} when this JDK has it (looked up, not linked: the option is
     * outside Java SE).
     */
    private static final Optional<OpenOption> DIRECT = directOption();

    private final Path path;
    private final ChannelOpener opener;
    /** Block size for direct writes; 0 never to use them. */
    private int blockSize;
    private boolean direct;
    // INVARIANT: digest has consumed exactly the bytes [0, length) of the file, and those bytes are on disk (written,
    // not necessarily forced). Bytes past length (a write that failed half-way) are cut off by the next open().
    private MessageDigest digest = newDigest();
    private long length;
    private FileChannel channel;

    PartialFile(Path path, ChannelOpener opener) {
        this(path, opener, 0);
    }

    /** @param blockSize the file system's block size, to write with direct I/O; 0 to write through the page cache */
    PartialFile(Path path, ChannelOpener opener, int blockSize) {
        this.path = path;
        this.opener = opener;
        this.blockSize = DIRECT.isPresent() ? blockSize : 0;
    }

    /** What every write's size must be a multiple of now (its position always is): the block size while direct. */
    int writeAlignment() {
        return direct ? blockSize : 1;
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
        FileChannel ch = null;
        if (blockSize > 0 && length % blockSize == 0) {
            try {
                ch = opener.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, DIRECT.orElseThrow());
            } catch (IOException | UnsupportedOperationException e) {
                log.debug("direct I/O not available, writing through the page cache path={}", path, e);
                blockSize = 0;
            }
        }
        direct = ch != null;
        if (ch == null) {
            ch = opener.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
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

    /**
     * Writes all of {@code bytes} (position to limit) at the end and hashes them; consumes the buffer. While direct,
     * the buffer must be a direct one whose position is block-aligned in memory, and its size a multiple of
     * {@link #writeAlignment()}.
     */
    void append(ByteBuffer bytes) throws IOException {
        ByteBuffer hashView = bytes.duplicate();
        long position = length;
        try {
            while (bytes.hasRemaining()) {
                position += channel.write(bytes, position);
            }
        } catch (IOException e) {
            if (direct) {
                // Whatever direct I/O disliked, the next attempt writes through the page cache.
                blockSize = 0;
            }
            throw e;
        }
        digest.update(hashView);
        length = position;
    }

    /** Stops writing with direct I/O, so that writes of any size can follow (a file's last partial block). */
    void endDirect() throws IOException {
        if (!direct) {
            return;
        }
        FileChannel old = channel;
        channel = null;
        direct = false;
        old.close();
        channel = opener.open(path, StandardOpenOption.WRITE);
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
        direct = false;
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

    /**
     * The block size of the file system holding {@code dir} (or its nearest existing ancestor) when direct writes
     * can use it; 0 otherwise.
     */
    static int directBlockSize(Path dir, int bufferAlignment) {
        if (DIRECT.isEmpty()) {
            return 0;
        }
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return 0;
        }
        try {
            long size = Files.getFileStore(existing).getBlockSize();
            return size > 0 && size <= bufferAlignment && bufferAlignment % size == 0 ? (int) size : 0;
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("no block size for direct I/O dir={}", dir, e);
            return 0;
        }
    }

    private static Optional<OpenOption> directOption() {
        try {
            Class<?> options = Class.forName("com.sun.nio.file.ExtendedOpenOption");
            for (Object constant : options.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals("DIRECT") && constant instanceof OpenOption option) {
                    return Optional.of(option);
                }
            }
        } catch (ClassNotFoundException | LinkageError e) {
            log.debug("this JDK has no ExtendedOpenOption.DIRECT", e);
        }
        return Optional.empty();
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
