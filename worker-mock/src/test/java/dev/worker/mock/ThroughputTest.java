package dev.worker.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.launch.ByteSizes;
import dev.worker.testkit.RawHttp;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Prints (does not assert) the loopback throughput of parallel whole-file downloads. */
final class ThroughputTest {
    private static final int DOWNLOADS = 8;
    private static final long FILE_SIZE = 256L << 20;

    @Test
    @Timeout(120)
    void loopbackThroughput_ofEightParallel256MiBDownloads_isPrinted() throws Exception {
        try (MockStorage storage = MockStorage.start(MockStorageConfig.builder().datasets(1).chunks(DOWNLOADS)
                .filesPerChunk(1).chunkSize(FILE_SIZE).checksums(false).build());
                ExecutorService clients = Executors.newFixedThreadPool(DOWNLOADS)) {
            List<Future<Long>> downloads = new ArrayList<>();
            long start = System.nanoTime();
            for (SyntheticChunk chunk : storage.chunkSet().chunks()) {
                String path = chunk.files().get(0).path();
                downloads.add(clients.submit(() -> {
                    try (RawHttp c = RawHttp.open(storage.baseUrl())) {
                        long length = c.send("GET", path).readHead().contentLength();
                        InputStream in = c.input();
                        byte[] buffer = new byte[1 << 20];
                        long received = 0;
                        while (received < length) {
                            int n = in.read(buffer);
                            if (n < 0) {
                                break;
                            }
                            received += n;
                        }
                        return received;
                    }
                }));
            }
            long total = 0;
            for (Future<Long> download : downloads) {
                total += download.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(total).isEqualTo(DOWNLOADS * FILE_SIZE);
            System.out.printf(Locale.ROOT, "loopback throughput: %d x %s in %.2f s = %.2f GB/s (%.2f GiB/s)%n",
                    DOWNLOADS, ByteSizes.formatCompact(FILE_SIZE), seconds, total / seconds / 1e9,
                    total / seconds / (1L << 30));
        }
    }
}
