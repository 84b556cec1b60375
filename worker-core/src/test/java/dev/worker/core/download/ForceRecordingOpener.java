package dev.worker.core.download;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Opens real file channels and records, per path, how many bytes were written before the last fsync. Can also
 * make the disk look full: writes past a given file position fail with ENOSPC's message, a given number of times.
 */
final class ForceRecordingOpener implements ChannelOpener {
    private final Map<Path, Long> forcedSizes = new ConcurrentHashMap<>();
    private final AtomicInteger diskFullFailures = new AtomicInteger();
    private volatile long diskFullAt = Long.MAX_VALUE;
    private volatile BooleanSupplier forceGate = () -> true;
    private volatile long forceGateNanos;
    private final AtomicInteger forceGateTimeouts = new AtomicInteger();

    /** The next {@code times} writes reaching past {@code position} fail as if the disk were full. */
    void diskFullAt(long position, int times) {
        diskFullAt = position;
        diskFullFailures.set(times);
    }

    /**
     * Every {@code force} first waits (at most {@code timeout}) until {@code condition} holds; a wait that runs out
     * is counted in {@link #forceGateTimeouts()}.
     */
    void gateForces(BooleanSupplier condition, Duration timeout) {
        forceGateNanos = timeout.toNanos();
        forceGate = condition;
    }

    int forceGateTimeouts() {
        return forceGateTimeouts.get();
    }

    /** The file's size at its last {@code force(true)}, or -1 when it was never forced. */
    long forcedSize(Path path) {
        return forcedSizes.getOrDefault(path, -1L);
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return new Recording(path, FileChannel.open(path, options));
    }

    private final class Recording extends FileChannel {
        private final Path path;
        private final FileChannel delegate;

        Recording(Path path, FileChannel delegate) {
            this.path = path;
            this.delegate = delegate;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            long deadline = System.nanoTime() + forceGateNanos;
            while (!forceGate.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    forceGateTimeouts.incrementAndGet();
                    break;
                }
                LockSupport.parkNanos(1_000_000);
            }
            delegate.force(metaData);
            if (metaData) {
                forcedSizes.put(path, delegate.size());
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return delegate.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return delegate.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return delegate.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            delegate.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return delegate.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return delegate.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return delegate.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            if (position + src.remaining() > diskFullAt && diskFullFailures.getAndDecrement() > 0) {
                throw new IOException("No space left on device");
            }
            return delegate.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return delegate.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return delegate.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            delegate.close();
        }
    }
}
