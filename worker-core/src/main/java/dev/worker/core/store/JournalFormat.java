package dev.worker.core.store;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal file: an 8-byte header ({@code "WKIJ"}, u32 version 1), then records
 * {@code [u32 payload length][u32 CRC32C of payload][payload]}, big-endian, payload as in {@link IntentCodec}.
 *
 * <p>A journal file only ever comes into being whole: it is written under a temporary name, fsync'd and renamed
 * over the old one. Appends can tear at the tail only, and the reader cuts a torn tail off.
 */
final class JournalFormat {
    private static final Logger log = LoggerFactory.getLogger(JournalFormat.class);

    static final int HEADER_BYTES = 8;
    static final int RECORD_HEADER_BYTES = 8;
    /** Far above any real record (a 64 MiB assignment) and small enough for one byte array. */
    static final int MAX_PAYLOAD_BYTES = 1 << 30;
    private static final byte[] HEADER = {'W', 'K', 'I', 'J', 0, 0, 0, 1};

    private JournalFormat() {
    }

    /** The records and the file's length after any torn tail was cut off. */
    record Contents(List<Intent> intents, long size) {
    }

    /** One framed record, encoded in place behind room for its record header. */
    static ByteBuffer frame(Intent intent) {
        FrameBuffer out = new FrameBuffer();
        IntentCodec.write(intent, out);
        return out.frame();
    }

    /**
     * Reads every record; at the first bad one (short header, impossible length, CRC mismatch, unparsable payload)
     * stops, warns, truncates the file there and fsyncs it.
     *
     * @throws IOException when the file cannot be read, or is not a journal at all (its header is wrong): such a
     *                     file is left alone for an operator to look at
     */
    static Contents read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size == 0) {
                // Never written by us (we rename whole files into place); treat as a new, empty journal.
                writeFully(channel, ByteBuffer.wrap(HEADER), 0);
                channel.force(true);
                return new Contents(List.of(), HEADER_BYTES);
            }
            InputStream buffered = new BufferedInputStream(Channels.newInputStream(channel.position(0)), 1 << 16);
            DataInputStream in = new DataInputStream(buffered);
            byte[] header = new byte[(int) Math.min(size, HEADER_BYTES)];
            in.readFully(header);
            if (!Arrays.equals(header, HEADER)) {
                throw new IOException(file + " is not an intent journal of this version (header "
                        + Arrays.toString(header) + "); move it aside to start with an empty journal");
            }
            List<Intent> intents = new ArrayList<>();
            CRC32C crc = new CRC32C();
            long position = HEADER_BYTES;
            String problem = null;
            while (position < size) {
                long remaining = size - position;
                if (remaining < RECORD_HEADER_BYTES) {
                    problem = "short record header (" + remaining + " bytes)";
                    break;
                }
                long length = Integer.toUnsignedLong(in.readInt());
                long expectedCrc = Integer.toUnsignedLong(in.readInt());
                if (length == 0 || length > MAX_PAYLOAD_BYTES || length > remaining - RECORD_HEADER_BYTES) {
                    problem = "impossible record length " + length + " (" + (remaining - RECORD_HEADER_BYTES)
                            + " bytes follow)";
                    break;
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                crc.reset();
                crc.update(payload, 0, payload.length);
                if (crc.getValue() != expectedCrc) {
                    problem = "CRC mismatch";
                    break;
                }
                try {
                    intents.add(IntentCodec.read(payload, 0, payload.length));
                } catch (IllegalArgumentException e) {
                    problem = "unparsable payload: " + e.getMessage();
                    break;
                }
                position += RECORD_HEADER_BYTES + length;
            }
            if (problem != null) {
                log.warn("intent journal has a bad record; truncating there file={} offset={} droppedBytes={} "
                        + "problem=\"{}\" recordsKept={}", file, position, size - position, problem, intents.size());
                channel.truncate(position);
                channel.force(true);
            }
            return new Contents(intents, position);
        }
    }

    /**
     * Writes a journal holding {@code records} to {@code temp}, fsyncs it and renames it over {@code file}. Returns
     * the open channel of the new file (positioned at its end) for appending; the caller fsyncs the directory.
     * On failure before the rename, {@code file} is unchanged and {@code temp} removed.
     */
    static FileChannel writeAndReplace(Path file, Path temp, List<Intent> records) throws IOException {
        Files.deleteIfExists(temp);
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long position = writeFully(channel, ByteBuffer.wrap(HEADER), 0);
            for (Intent record : records) {
                position += writeFully(channel, frame(record), position);
            }
            channel.force(true);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            channel.position(position);
            return channel;
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close();
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static long writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long written = 0;
        while (buffer.hasRemaining()) {
            written += channel.write(buffer, position + written);
        }
        return written;
    }

    /** Collects a record's payload behind 8 reserved bytes, then fills in length and CRC without copying. */
    private static final class FrameBuffer extends ByteArrayOutputStream {
        FrameBuffer() {
            super(256);
            count = RECORD_HEADER_BYTES;
        }

        ByteBuffer frame() {
            int length = count - RECORD_HEADER_BYTES;
            if (length > MAX_PAYLOAD_BYTES) {
                throw new IllegalArgumentException("intent too large for the journal: " + length + " bytes (max "
                        + MAX_PAYLOAD_BYTES + ")");
            }
            CRC32C crc = new CRC32C();
            crc.update(buf, RECORD_HEADER_BYTES, length);
            ByteBuffer frame = ByteBuffer.wrap(buf, 0, count);
            frame.putInt(0, length);
            frame.putInt(4, (int) crc.getValue());
            return frame;
        }
    }
}
