package dev.worker.core.store;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory's layout, held under an exclusive OS file lock on {@code LOCK} for as long as it is open:
 *
 * <pre>
 * LOCK            exclusive lock; holds the holder's pid, host and start time (for the error a second process gets)
 * chunks/&lt;id&gt;/    published chunks: the files + chunk.json
 * tmp/&lt;id&gt;.&lt;n&gt;/  downloads in progress; tmp/&lt;id&gt;.&lt;n&gt;.resume holds the downloader's resume
 *                  validators
 * trash/          chunks being removed
 * intents.log     the intent journal
 * </pre>
 */
public final class DataDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
    private static final String LOCK = "LOCK";
    private static final int MAX_HOLDER_BYTES = 1024;

    /*
     * OS locks belong to the process, so a second open in this JVM would not see the first one's lock (it gets
     * OverlappingFileLockException at best, and closing its channel would drop the first one's lock at worst).
     * INVARIANT: a canonical root is in HELD exactly while one open DataDirectory holds its lock.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path root;
    private final Path canonicalRoot;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DataDirectory(Path root, Path canonicalRoot, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.canonicalRoot = canonicalRoot;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the layout if missing and takes the lock.
     *
     * @throws DataDirectoryLockedException when another process (or another manager in this one) holds it
     * @throws IOException                  when the directory cannot be created or written (message names the path)
     */
    public static DataDirectory open(Path root) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        createDirectory(absolute, "data directory");
        Path canonical = absolute.toRealPath();
        Path lockFile = absolute.resolve(LOCK);
        if (!HELD.add(canonical)) {
            throw new DataDirectoryLockedException(absolute, readHolder(lockFile));
        }
        FileChannel channel = null;
        try {
            try {
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            } catch (AccessDeniedException e) {
                throw new IOException("data directory " + absolute + " is not writable: cannot open " + lockFile, e);
            }
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held through another channel of this JVM that HELD did not know (e.g. a symlinked path)
            }
            if (lock == null) {
                throw new DataDirectoryLockedException(absolute, readHolder(channel));
            }
            String holder = holderLine();
            channel.truncate(0);
            ByteBuffer line = ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8));
            long position = 0;
            while (line.hasRemaining()) {
                position += channel.write(line, position);
            }
            channel.force(true);
            createDirectory(absolute.resolve("chunks"), "chunks directory");
            createDirectory(absolute.resolve("tmp"), "temp directory");
            createDirectory(absolute.resolve("trash"), "trash directory");
            log.info("data directory locked dir={} holder=\"{}\"", absolute, holder);
            return new DataDirectory(absolute, canonical, channel, lock);
        } catch (IOException | RuntimeException | Error e) {
            if (channel != null) {
                try {
                    channel.close(); // also releases the lock if it was taken
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            HELD.remove(canonical);
            throw e;
        }
    }

    public Path root() {
        return root;
    }

    public Path chunks() {
        return root.resolve("chunks");
    }

    public Path tmp() {
        return root.resolve("tmp");
    }

    public Path trash() {
        return root.resolve("trash");
    }

    public Path intentsLog() {
        return root.resolve("intents.log");
    }

    /** Releases the lock. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // The OS drops the lock with the descriptor at the latest when the process exits.
            log.warn("could not release data directory lock dir={}", root, e);
        } finally {
            HELD.remove(canonicalRoot);
        }
    }

    @Override
    public String toString() {
        return "DataDirectory[" + root + (closed.get() ? ", closed]" : "]");
    }

    private static void createDirectory(Path dir, String what) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot use " + what + " " + dir + ": it exists and is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new IOException("cannot use " + what + " " + dir + ": " + e.getFile()
                        + " exists and is not a directory", e);
            }
        } catch (AccessDeniedException e) {
            throw new IOException("cannot create " + what + " " + dir + ": permission denied on " + e.getFile(), e);
        } catch (IOException e) {
            throw new IOException("cannot create " + what + " " + dir + ": " + e, e);
        }
    }

    private static String holderLine() {
        return "pid=" + ProcessHandle.current().pid() + " host=" + hostName() + " started="
                + Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private static String hostName() {
        // The kernel's name first: InetAddress.getLocalHost() may wait on a resolver.
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                String name = Files.readString(kernel).strip();
                if (!name.isEmpty()) {
                    return name;
                }
            }
        } catch (IOException e) {
            log.debug("cannot read the kernel host name", e);
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String readHolder(Path lockFile) {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ)) {
            return readHolder(channel);
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** What the holder wrote into LOCK: POSIX locks are advisory, so reading works while another process holds it. */
    private static String readHolder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(MAX_HOLDER_BYTES);
            long position = 0;
            int n;
            while (buffer.hasRemaining() && (n = channel.read(buffer, position)) > 0) {
                position += n;
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "unknown" : text;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
