package dev.worker.core.download;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/** What every transfer of one {@link ChunkDownloader} shares. */
record TransferEnv(
        LazyHttpClient client,
        Semaphore permits,
        Optional<TokenBucket> bucket,
        BufferPool buffers,
        ChannelOpener opener,
        DownloadSettings settings,
        DownloadListener listener,
        Clock clock) {
}
