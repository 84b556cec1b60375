package dev.worker.mock;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import dev.worker.mock.StorageContext.ActiveFaults;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests of one connection, one at a time and in order (pipelined requests wait in a queue, and the
 * connection stops reading while a response is in progress). Everything runs on the connection's event loop.
 */
final class StorageHandler extends ChannelInboundHandlerAdapter {
    static final String MANIFEST_PATH = "/manifest.json";
    static final String STATS_PATH = "/stats";

    private static final Logger LOG = LoggerFactory.getLogger(StorageHandler.class);
    private static final int MAX_PIPELINED = 64;
    private static final String SERVER = "worker-mock";
    private static final String ALLOWED_METHODS = "GET, HEAD";

    private final StorageContext storage;
    private final ArrayDeque<HttpRequest> pipelined = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean busy;
    private BodyStreamer body;
    private ScheduledFuture<?> delayed;
    private Throttle connectionThrottle = Throttle.UNLIMITED;

    StorageHandler(StorageContext storage) {
        this.storage = storage;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        storage.stats().connectionOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        storage.stats().connectionClosed();
        if (body != null) {
            body.abort();
            body = null;
        }
        if (delayed != null) {
            delayed.cancel(false);
            delayed = null;
        }
        pipelined.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                if (!busy) {
                    begin(request);
                } else if (pipelined.size() < MAX_PIPELINED) {
                    pipelined.add(request);
                } else {
                    LOG.debug("closing connection with too many pipelined requests remote={}",
                            ctx.channel().remoteAddress());
                    ctx.close();
                }
            }
            // Request bodies (none expected for GET/HEAD) are dropped.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (body != null && ctx.channel().isWritable()) {
            body.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("closing connection after error remote={}", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private void begin(HttpRequest request) {
        busy = true;
        ctx.channel().config().setAutoRead(false);
        storage.stats().request();
        if (request.decoderResult().isFailure()) {
            respond(request, HttpResponseStatus.BAD_REQUEST, "bad request: " + request.decoderResult().cause()
                    .getMessage(), false, h -> {
                    });
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        Optional<String> path = path(request.uri());
        if (path.isEmpty()) {
            respond(request, HttpResponseStatus.BAD_REQUEST, "bad request target: " + request.uri(), keepAlive,
                    h -> {
                    });
            return;
        }
        boolean readable = request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD);
        switch (path.get()) {
            case MANIFEST_PATH -> {
                if (readable) {
                    manifest(request, keepAlive);
                } else {
                    methodNotAllowed(request, keepAlive);
                }
            }
            case STATS_PATH -> {
                if (readable) {
                    respond(request, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON,
                            StatsRecorder.toJson(storage.stats().snapshot()), keepAlive, h -> {
                            });
                } else {
                    methodNotAllowed(request, keepAlive);
                }
            }
            default -> {
                Optional<SyntheticFile> file = storage.chunkSet().file(path.get());
                if (file.isEmpty()) {
                    respond(request, HttpResponseStatus.NOT_FOUND, "not found: " + path.get(), keepAlive, h -> {
                    });
                } else if (!readable) {
                    methodNotAllowed(request, keepAlive);
                } else {
                    file(request, file.get(), keepAlive);
                }
            }
        }
    }

    /** The response to the current request is fully written: go on with the next, or close. */
    private void done(boolean keepAlive) {
        body = null;
        busy = false;
        if (!keepAlive || !ctx.channel().isActive()) {
            ctx.close();
            return;
        }
        HttpRequest next = pipelined.poll();
        if (next != null) {
            begin(next);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void manifest(HttpRequest request, boolean keepAlive) {
        storage.manifest().json().whenComplete((json, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                LOG.warn("manifest failed", error);
                respond(request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "manifest failed: " + error, false,
                        h -> {
                        });
            } else {
                respond(request, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, json, keepAlive, h -> {
                });
            }
        }));
    }

    private void file(HttpRequest request, SyntheticFile file, boolean keepAlive) {
        ActiveFaults faults = storage.faults();
        if (request.headers().contains(HttpHeaderNames.RANGE)) {
            storage.stats().rangeRequest();
        }
        FaultPlan plan = storage.drawFaults(faults.config());
        Duration latency = faults.config().latency();
        if (latency.isPositive()) {
            storage.stats().fault(FaultType.LATENCY);
            delayed = ctx.executor().schedule(() -> {
                delayed = null;
                answerFile(request, file, keepAlive, faults, plan);
            }, latency.toNanos(), NANOSECONDS);
        } else {
            answerFile(request, file, keepAlive, faults, plan);
        }
    }

    private void answerFile(HttpRequest request, SyntheticFile file, boolean keepAlive, ActiveFaults faults,
            FaultPlan plan) {
        FaultConfig config = faults.config();
        if (config.notFound().contains(file.path())) {
            storage.stats().fault(FaultType.NOT_FOUND);
            respond(request, HttpResponseStatus.NOT_FOUND, "not found: " + file.path(), keepAlive, h -> {
            });
            return;
        }
        if (plan.error()) {
            storage.stats().fault(FaultType.ERROR);
            respond(request, HttpResponseStatus.SERVICE_UNAVAILABLE, "injected error", keepAlive,
                    h -> config.retryAfter().ifPresent(d -> h.set(HttpHeaderNames.RETRY_AFTER, seconds(d))));
            return;
        }
        long key = storage.content().key(file.path());
        String etag = storage.validators().etag(key, file.size());
        Consumer<HttpHeaders> validators = h -> h
                .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES)
                .set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.LAST_MODIFIED, storage.validators().lastModifiedText());
        ByteRange range = ByteRange.WHOLE;
        String rangeHeader = request.headers().get(HttpHeaderNames.RANGE);
        if (rangeHeader != null) {
            String ifRange = request.headers().get(HttpHeaderNames.IF_RANGE);
            if (ifRange == null || storage.validators().ifRangeMatches(ifRange, etag)) {
                range = ByteRange.parse(rangeHeader, file.size());
            }
        }
        HttpResponse response;
        long first;
        long length;
        switch (range) {
            case ByteRange.Unsatisfiable u -> {
                respond(request, HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                        HttpHeaderValues.APPLICATION_OCTET_STREAM, new byte[0], keepAlive, validators.andThen(
                                h -> h.set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + file.size())));
                return;
            }
            case ByteRange.Whole w -> {
                response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                first = 0;
                length = file.size();
            }
            case ByteRange.Part p -> {
                response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PARTIAL_CONTENT);
                response.headers().set(HttpHeaderNames.CONTENT_RANGE,
                        "bytes " + p.first() + "-" + p.last() + "/" + file.size());
                first = p.first();
                length = p.length();
            }
        }
        response.headers()
                .set(HttpHeaderNames.SERVER, SERVER)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                .set(HttpHeaderNames.CONTENT_LENGTH, length);
        validators.accept(response.headers());
        connection(response, request, keepAlive);
        storage.stats().response(response.status().code());
        if (request.method().equals(HttpMethod.HEAD)) {
            ctx.write(response);
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> done(keepAlive));
            return;
        }
        FaultPlan.BodyEnd end = plan.body();
        long send = length;
        switch (end) {
            case COMPLETE -> {
            }
            case RESET -> storage.stats().fault(FaultType.RESET);
            case TRUNCATE -> storage.stats().fault(FaultType.TRUNCATE);
            case STALL -> storage.stats().fault(FaultType.STALL);
        }
        if (end != FaultPlan.BodyEnd.COMPLETE) {
            send = plan.cutAt(length);
        }
        ChannelFuture head = ctx.write(response);
        body = new BodyStreamer(ctx, storage.content(), key, first, send, end, config.stall(),
                connectionThrottle(config.bandwidth()), faults.total(), storage.stats(), () -> done(keepAlive));
        body.start(head);
    }

    private Throttle connectionThrottle(long bytesPerSecond) {
        if (connectionThrottle.bytesPerSecond() != bytesPerSecond) {
            connectionThrottle = Throttle.of(bytesPerSecond);
        }
        return connectionThrottle;
    }

    private void methodNotAllowed(HttpRequest request, boolean keepAlive) {
        respond(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed: " + request.method(), keepAlive,
                h -> h.set(HttpHeaderNames.ALLOW, ALLOWED_METHODS));
    }

    private void respond(HttpRequest request, HttpResponseStatus status, String text, boolean keepAlive,
            Consumer<HttpHeaders> headers) {
        respond(request, status, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8",
                (text + "\n").getBytes(StandardCharsets.UTF_8), keepAlive, headers);
    }

    /** Writes a response with a body held in memory (HEAD: headers only), then moves on to the next request. */
    private void respond(HttpRequest request, HttpResponseStatus status, CharSequence contentType, byte[] content,
            boolean keepAlive, Consumer<HttpHeaders> headers) {
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content));
        response.headers()
                .set(HttpHeaderNames.SERVER, SERVER)
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CONTENT_LENGTH, content.length);
        headers.accept(response.headers());
        connection(response, request, keepAlive);
        storage.stats().response(status.code());
        ctx.writeAndFlush(response).addListener(f -> done(keepAlive));
    }

    private static void connection(HttpResponse response, HttpRequest request, boolean keepAlive) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** The path of a request target in origin form ({@code /a/b?q}) or absolute form; empty when it has none. */
    static Optional<String> path(String target) {
        try {
            if (target.startsWith("/")) {
                return Optional.of(new QueryStringDecoder(target).path());
            }
            URI uri = new URI(target);
            return uri.isAbsolute() && uri.getPath() != null && uri.getPath().startsWith("/")
                    ? Optional.of(uri.getPath())
                    : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String seconds(Duration d) {
        return Long.toString(d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0));
    }
}
