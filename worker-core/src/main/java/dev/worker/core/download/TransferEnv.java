package dev.worker.core.download;

import dev.worker.core.source.Sources;
import java.time.Clock;
import java.util.Optional;

/** What every transfer of one {@link ChunkDownloader} shares. */
record TransferEnv(
        LazyHttpClient client,
        TransferSlots slots,
        Optional<TokenBucket> bucket,
        BufferPool buffers,
        ChannelOpener opener,
        DownloadSettings settings,
        DownloadListener listener,
        Clock clock,
        Sources sources) {
}
