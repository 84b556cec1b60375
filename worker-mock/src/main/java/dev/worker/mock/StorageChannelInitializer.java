package dev.worker.mock;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/** Sets up each accepted connection: HTTP/1.1 codec, then the storage's handler. */
final class StorageChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_INITIAL_LINE = 8 * 1024;
    private static final int MAX_HEADER_SIZE = 16 * 1024;
    private static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final StorageContext context;

    StorageChannelInitializer(StorageContext context) {
        this.context = context;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(MAX_INITIAL_LINE)
                        .setMaxHeaderSize(MAX_HEADER_SIZE)
                        .setMaxChunkSize(MAX_CHUNK_SIZE)))
                .addLast("storage", new StorageHandler(context));
    }
}
