package dev.worker.core.download;

import static dev.worker.core.download.Fixtures.randomBytes;
import static dev.worker.core.download.Fixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Direct I/O where the file system has it, the page cache where it does not, and the same bytes either way. */
final class PartialFileTest {
    @TempDir
    Path tmp;

    @Test
    void append_wholeBlocksDirect_thenTheTailAfterEndDirect_writesAndHashesEveryByte() throws IOException {
        int blockSize = PartialFile.directBlockSize(tmp, BufferPool.ALIGNMENT);
        assumeTrue(blockSize > 0, "no direct I/O on this file system");
        byte[] content = randomBytes(3 * blockSize + 123, 1);
        RecordingOpener opener = new RecordingOpener(false);
        PartialFile file = new PartialFile(tmp.resolve("f"), opener, blockSize);
        ByteBuffer staging = new BufferPool(4 * blockSize, 1).take();

        file.open();
        assertThat(file.writeAlignment()).isEqualTo(blockSize);
        staging.put(content, 0, 3 * blockSize).flip();
        file.append(staging);
        file.endDirect();
        assertThat(file.writeAlignment()).isEqualTo(1);
        staging.clear().put(content, 3 * blockSize, 123).flip();
        file.append(staging);
        file.close();

        assertThat(tmp.resolve("f")).hasBinaryContent(content);
        assertThat(file.length()).isEqualTo(content.length);
        assertThat(file.sha256()).isEqualTo(sha256(content));
        assertThat(opener.directOpens).containsExactly(true, false);
    }

    @Test
    void open_atAnUnalignedLength_writesThroughThePageCache() throws IOException {
        int blockSize = PartialFile.directBlockSize(tmp, BufferPool.ALIGNMENT);
        assumeTrue(blockSize > 0, "no direct I/O on this file system");
        byte[] content = randomBytes(blockSize + 10, 2);
        RecordingOpener opener = new RecordingOpener(false);
        PartialFile file = new PartialFile(tmp.resolve("f"), opener, blockSize);
        file.open();
        file.endDirect();
        file.append(ByteBuffer.wrap(content, 0, 10));
        file.close();

        file.open();
        assertThat(file.writeAlignment()).isEqualTo(1);
        file.append(ByteBuffer.wrap(content, 10, blockSize));
        file.close();

        assertThat(tmp.resolve("f")).hasBinaryContent(content);
        assertThat(file.sha256()).isEqualTo(sha256(content));
    }

    @Test
    void open_whenDirectIoIsRefused_fallsBackToThePageCacheForGood() throws IOException {
        byte[] content = randomBytes(10_000, 3);
        RecordingOpener opener = new RecordingOpener(true);
        PartialFile file = new PartialFile(tmp.resolve("f"), opener, 4096);

        file.open();
        assertThat(file.writeAlignment()).isEqualTo(1);
        file.append(ByteBuffer.wrap(content));
        file.close();
        file.open();
        file.close();

        assertThat(tmp.resolve("f")).hasBinaryContent(content);
        assertThat(opener.directOpens).containsExactly(false, false);
        assertThat(opener.refused).isEqualTo(1);
    }

    @Test
    void append_whenADirectWriteFails_theNextOpenWritesThroughThePageCache() throws IOException {
        int blockSize = PartialFile.directBlockSize(tmp, BufferPool.ALIGNMENT);
        assumeTrue(blockSize > 0, "no direct I/O on this file system");
        RecordingOpener opener = new RecordingOpener(false);
        PartialFile file = new PartialFile(tmp.resolve("f"), opener, blockSize);
        file.open();
        // A heap buffer of an unaligned size: direct I/O refuses it.
        assertThatThrownBy(() -> file.append(ByteBuffer.wrap(new byte[blockSize - 1]))).isInstanceOf(IOException.class);
        file.close();

        file.open();
        assertThat(file.writeAlignment()).isEqualTo(1);
        byte[] content = randomBytes(blockSize - 1, 4);
        file.append(ByteBuffer.wrap(content));
        file.close();
        assertThat(tmp.resolve("f")).hasBinaryContent(content);
        assertThat(opener.directOpens).containsExactly(true, false);
    }

    /** Records whether each open asked for direct I/O; can refuse it as tmpfs does. */
    private static final class RecordingOpener implements ChannelOpener {
        private final boolean refuseDirect;
        final List<Boolean> directOpens = new CopyOnWriteArrayList<>();
        int refused;

        RecordingOpener(boolean refuseDirect) {
            this.refuseDirect = refuseDirect;
        }

        @Override
        public FileChannel open(Path path, OpenOption... options) throws IOException {
            boolean direct = Arrays.stream(options).anyMatch(o -> o.toString().equals("DIRECT"));
            if (direct && refuseDirect) {
                refused++;
                throw new IOException("Invalid argument");
            }
            directOpens.add(direct);
            return FileChannel.open(path, options);
        }
    }
}
