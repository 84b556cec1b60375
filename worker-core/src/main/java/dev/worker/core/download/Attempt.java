package dev.worker.core.download;

import dev.worker.core.Bytes32;
import dev.worker.core.FileDigest;
import java.io.IOException;
import java.net.SocketException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP attempt for one file: asks for the file (or the rest of it, with {@code Range} and {@code If-Range}),
 * checks the answer, and streams the body into the {@link PartialFile} through a direct staging buffer, hashing on
 * the way. Local file errors are thrown as {@link IOException}s; cancellation as {@link InterruptedException}.
 */
final class Attempt {
    private static final Logger log = LoggerFactory.getLogger(Attempt.class);
    /** Without a known size, disk space is reserved in steps of this many bytes as the body arrives. */
    static final long RESERVE_STEP = 1L << 20;
    /** Staged bytes are written when no more arrive for this long. */
    static final Duration IDLE_FLUSH = Duration.ofMillis(100);

    private final TransferEnv env;
    private final FileState state;
    private final PartialFile file;
    private final DownloadProgress progress;
    private final DiskSpace space;
    private final ResumeFile resume;
    private final Cancellation cancel;
    private final Duration stall;

    private volatile ResponseStream stream;
    private ByteBuffer staging;
    private long from;
    private long received;
    private OptionalLong contentLength = OptionalLong.empty();
    private OptionalLong total = OptionalLong.empty();

    Attempt(TransferEnv env, FileState state, DownloadProgress progress, DiskSpace space, ResumeFile resume,
            Cancellation cancel) {
        this.env = env;
        this.cancel = cancel;
        this.state = state;
        this.file = state.file;
        this.progress = progress;
        this.space = space;
        this.resume = resume;
        this.stall = env.settings().stallTimeout();
    }

    AttemptResult run() throws InterruptedException, IOException {
        if (file.length() > 0 && state.validator.isEmpty()) {
            // Nothing to prove the bytes on disk belong to the store's current file: start over.
            restart();
        }
        from = file.length();
        Route route;
        try {
            route = Route.of(env.sources(), state.source, state.describe());
        } catch (IllegalArgumentException e) {
            return new AttemptResult.Fail("source_config", e.getMessage() + " (" + state.describe() + ")");
        }
        file.open();
        boolean completed = false;
        // The exchange is aborted straight from the cancelling thread (the abort never blocks), so the connection
        // closes at once even while this thread is still busy writing to disk.
        Cancellation.Registration abortOnCancel = cancel.register(this::abortStream);
        try {
            AttemptResult result = exchange(route);
            completed = result instanceof AttemptResult.Done;
            return result;
        } finally {
            abortOnCancel.close();
            if (!completed) {
                abortStream();
            }
            if (staging != null) {
                env.buffers().give(staging);
                staging = null;
            }
            closeFile();
        }
    }

    private void abortStream() {
        ResponseStream current = stream;
        if (current != null) {
            current.abort();
        }
    }

    /** The transfer's own request headers: the rest of the file, if the store still has the same one. */
    private List<Map.Entry<String, String>> ownHeaders() {
        if (from == 0) {
            return List.of();
        }
        return List.of(Map.entry("Range", "bytes=" + from + "-"),
                Map.entry("If-Range", state.validator.orElseThrow().validator()));
    }

    /** Sends the request, hop by hop through the redirects the route allows, and takes the answer. */
    private AttemptResult exchange(Route route) throws InterruptedException, IOException {
        while (true) {
            AttemptResult refused = route.check();
            if (refused != null) {
                return refused;
            }
            HttpRequest request;
            try {
                request = route.request(ownHeaders());
            } catch (IOException e) {
                return new AttemptResult.Fail("source_credentials", "cannot sign the request for " + state.describe()
                        + ": " + e.getMessage());
            }
            ResponseStream current = new ResponseStream();
            stream = current;
            if (cancel.isCancelled()) {
                current.abort();
                throw new InterruptedException("download of " + state.name + " cancelled");
            }
            current.start(env.client().get(), request);
            ResponseStream.Event event = current.poll(stall);
            if (event == null) {
                return new AttemptResult.Retry(RetryReason.STALL,
                        "no response within the stall timeout of " + stall.toMillis() + " ms for " + state.describe());
            }
            if (event instanceof ResponseStream.Failure failure) {
                return failed(failure.error(), false);
            }
            if (!(event instanceof ResponseStream.Headers headers)) {
                throw new IllegalStateException("response body before headers for " + state.describe());
            }
            int status = headers.info().statusCode();
            if (Route.isRedirect(status)) {
                AttemptResult end = route.follow(status, headers.info().headers());
                current.abort();
                if (end != null) {
                    return end;
                }
                continue;
            }
            if (route.signed() && (status < 200 || status > 299)) {
                return s3Error(status, headers.info().headers());
            }
            AttemptResult early = onHeaders(headers.info());
            return early != null ? early : body();
        }
    }

    /** An S3 store's error answer (see {@link S3ErrorBody#result}); a 416 to a resume drops the partial file. */
    private AttemptResult s3Error(int status, HttpHeaders headers) throws InterruptedException, IOException {
        if (status == 416 && from > 0) {
            return onHeaders416();
        }
        return S3ErrorBody.result(stream, stall, status, headers, state.describe(), env.clock().instant());
    }

    private AttemptResult onHeaders416() throws IOException {
        long had = from;
        restart();
        return new AttemptResult.Retry(RetryReason.RANGE_NOT_SATISFIABLE, "HTTP 416 for the range from byte "
                + had + " of " + state.describe() + "; the partial file is dropped");
    }

    /** Checks status and headers; null when the body is worth reading. */
    private AttemptResult onHeaders(HttpResponse.ResponseInfo info) throws IOException {
        int status = info.statusCode();
        HttpHeaders headers = info.headers();
        if (status == 416 && from > 0) {
            return onHeaders416();
        }
        if (status == 408 || status == 429 || (status >= 500 && status <= 599)) {
            RetryReason reason = status == 408 ? RetryReason.HTTP_408
                    : status == 429 ? RetryReason.HTTP_429 : RetryReason.HTTP_5XX;
            Optional<Duration> retryAfter = headers.firstValue("Retry-After")
                    .flatMap(value -> RetryAfter.parse(value, env.clock().instant()));
            return new AttemptResult.Retry(reason, "HTTP " + status + " for " + state.describe()
                    + retryAfter.map(d -> " (Retry-After " + d.toMillis() + " ms)").orElse(""), retryAfter);
        }
        if (status != 200 && status != 206) {
            return new AttemptResult.Fail("http_" + status, "HTTP " + status + " for " + state.describe());
        }
        contentLength = headerLong(headers, "Content-Length");
        long start = 0;
        total = contentLength;
        if (status == 206) {
            Optional<ContentRange> range = headers.firstValue("Content-Range").flatMap(ContentRange::parse);
            if (range.isEmpty()) {
                restart();
                return new AttemptResult.Retry(RetryReason.RANGE_NOT_SATISFIABLE, "HTTP 206 without a usable "
                        + "Content-Range (" + headers.firstValue("Content-Range").orElse("none") + ") for "
                        + state.describe() + "; restarting the file");
            }
            start = range.get().first();
            total = range.get().total();
        }
        if (start != from) {
            if (start != 0) {
                restart();
                return new AttemptResult.Retry(RetryReason.RANGE_NOT_SATISFIABLE, "HTTP 206 starting at byte "
                        + start + " for a range from byte " + from + " of " + state.describe() + "; restarting");
            }
            log.info("store sent the whole file instead of the range, restarting it file={} url={} status={} from={}",
                    state.name, state.source.url(), status, from);
            restart();
        }
        OptionalLong declared = state.source.size();
        if (declared.isPresent() && total.isPresent() && total.getAsLong() != declared.getAsLong()) {
            return new AttemptResult.Fail("size_mismatch", state.describe() + " is declared as "
                    + declared.getAsLong() + " bytes but the store has " + total.getAsLong() + " (HTTP " + status
                    + ")");
        }
        rememberValidator(headers);
        if (total.isPresent() && !state.totalCounted) {
            progress.addTotal(total.getAsLong());
            state.totalCounted = true;
        }
        if (declared.isEmpty() && total.isPresent() && total.getAsLong() > state.reserved) {
            long need = total.getAsLong() - state.reserved;
            if (!space.tryReserve(need)) {
                return new AttemptResult.Retry(RetryReason.DISK_FULL,
                        "no disk space for " + need + " more bytes of " + state.describe());
            }
            state.reserved += need;
        }
        return null;
    }

    private AttemptResult body() throws InterruptedException, IOException {
        while (true) {
            ResponseStream.Event event = next();
            if (event == null) {
                flush(true);
                return new AttemptResult.Retry(RetryReason.STALL, "no data for the stall timeout of "
                        + stall.toMillis() + " ms after " + received + " bytes of " + state.describe());
            }
            switch (event) {
                case ResponseStream.Data data -> {
                    AttemptResult stop = accept(data.buffers());
                    if (stop != null) {
                        return stop;
                    }
                    stream.request(1);
                }
                case ResponseStream.End end -> {
                    flush(true);
                    return finish();
                }
                case ResponseStream.Failure failure -> {
                    flush(true);
                    return failed(failure.error(), true);
                }
                case ResponseStream.Headers headers ->
                        throw new IllegalStateException("second response headers for " + state.describe());
            }
        }
    }

    /**
     * The next event, or null after the stall timeout. Staged bytes are written once the body pauses for
     * {@link #IDLE_FLUSH}, so that on a slow link progress and the resume point keep up with the network, while a
     * fast one still gets large writes.
     */
    private ResponseStream.Event next() throws InterruptedException, IOException {
        if (staging == null || staging.position() < file.writeAlignment() || stall.compareTo(IDLE_FLUSH) <= 0) {
            return stream.poll(stall);
        }
        ResponseStream.Event event = stream.poll(IDLE_FLUSH);
        if (event != null) {
            return event;
        }
        flush(false);
        return stream.poll(stall.minus(IDLE_FLUSH));
    }

    /** Takes one list of body buffers into the staging buffer; a result when the attempt must stop. */
    private AttemptResult accept(List<ByteBuffer> buffers) throws InterruptedException, IOException {
        long n = 0;
        for (ByteBuffer buffer : buffers) {
            n += buffer.remaining();
        }
        received += n;
        env.listener().bytesReceived(n);
        long after = file.length() + (staging == null ? 0 : staging.position()) + n;
        OptionalLong declared = state.source.size();
        if (declared.isPresent() && after > declared.getAsLong()) {
            return new AttemptResult.Fail("size_mismatch", state.describe() + " is declared as "
                    + declared.getAsLong() + " bytes but the store sent more");
        }
        if (declared.isEmpty() && after > state.reserved) {
            long need = Math.max(after - state.reserved, RESERVE_STEP);
            if (!space.tryReserve(need)) {
                flush(true);
                return new AttemptResult.Retry(RetryReason.DISK_FULL, "no disk space for " + need
                        + " more bytes of " + state.describe() + " after " + file.length() + " bytes");
            }
            state.reserved += need;
        }
        if (env.bucket().isPresent()) {
            env.bucket().get().acquire(n);
        }
        for (ByteBuffer buffer : buffers) {
            stage(buffer);
        }
        return null;
    }

    private void stage(ByteBuffer buffer) throws IOException {
        if (staging == null) {
            staging = env.buffers().take();
        }
        while (buffer.hasRemaining()) {
            if (!staging.hasRemaining()) {
                flush(false);
            }
            int n = Math.min(buffer.remaining(), staging.remaining());
            staging.put(buffer.slice(buffer.position(), n));
            buffer.position(buffer.position() + n);
        }
    }

    /**
     * Writes what is staged to the file: from here on it counts as received and hashed. While the file is written
     * with direct I/O only whole blocks go, and a partial last block stays staged, unless {@code all} (the body
     * ended or the attempt stops): then the file leaves direct I/O and takes the rest too.
     */
    private void flush(boolean all) throws IOException {
        if (staging == null || staging.position() == 0) {
            return;
        }
        int staged = staging.position();
        int whole = staged - staged % file.writeAlignment();
        if (whole > 0) {
            write(whole);
        }
        if (all && staging.position() > 0) {
            file.endDirect();
            write(staging.position());
        }
    }

    /** Writes the first {@code n} staged bytes; what follows them moves to the start of the staging buffer. */
    private void write(int n) throws IOException {
        int staged = staging.position();
        staging.position(0).limit(n);
        try {
            file.append(staging);
        } catch (IOException e) {
            staging.clear();
            throw e;
        }
        staging.limit(staged).compact();
        progress.addDone(n);
    }

    private AttemptResult finish() throws IOException {
        long length = file.length();
        if (contentLength.isPresent() && received < contentLength.getAsLong()) {
            return new AttemptResult.Retry(RetryReason.TRUNCATED, "body of " + state.describe() + " ended after "
                    + received + " of " + contentLength.getAsLong() + " bytes");
        }
        OptionalLong declared = state.source.size();
        if (declared.isPresent() && length != declared.getAsLong()) {
            return new AttemptResult.Fail("size_mismatch", state.describe() + " is declared as "
                    + declared.getAsLong() + " bytes but the store's body ended at " + length);
        }
        if (total.isPresent() && length != total.getAsLong()) {
            return new AttemptResult.Retry(RetryReason.TRUNCATED, "body of " + state.describe() + " ended at byte "
                    + length + " of " + total.getAsLong());
        }
        Bytes32 sha256 = file.sha256();
        Optional<Bytes32> expected = state.source.sha256();
        if (expected.isPresent() && !expected.get().equals(sha256)) {
            String what = state.describe() + " has SHA-256 " + sha256 + " but " + expected.get() + " is declared";
            if (state.checksumFailedOnce) {
                return new AttemptResult.Fail("checksum_mismatch", what + ", again after a clean re-download");
            }
            state.checksumFailedOnce = true;
            restart();
            return new AttemptResult.Retry(RetryReason.CHECKSUM, what + "; downloading it again from byte 0");
        }
        // Not forced here: the caller fsyncs the file after giving back its transfer permit (see FileTransfer).
        return new AttemptResult.Done(new FileDigest(length, sha256));
    }

    private AttemptResult failed(Throwable error, boolean afterHeaders) {
        // The JDK client reports a body that ends before Content-Length as a plain IOException; a reset socket is
        // a SocketException.
        boolean truncated = afterHeaders && error instanceof IOException && !(error instanceof SocketException)
                && contentLength.isPresent() && received < contentLength.getAsLong();
        RetryReason reason = truncated ? RetryReason.TRUNCATED : RetryReason.CONNECTION;
        String what = truncated ? "body cut short" : afterHeaders ? "connection lost" : "request failed";
        log.debug("transfer error file={} url={} reason={} received={}", state.name, state.source.url(),
                reason.code(), received, error);
        return new AttemptResult.Retry(reason, what + " after " + received + " bytes of " + state.describe() + ": "
                + error);
    }

    private void rememberValidator(HttpHeaders headers) {
        // If-Range needs a strong validator (RFC 9110 section 13.1.5). A Last-Modified date is one only in name: a
        // file rewritten within the same second keeps it, and resuming would splice two objects into one file. So
        // it is kept only when the declared SHA-256 will catch such a splice (see ResumeFile.Entry#usableFor).
        Optional<String> etag = headers.firstValue("ETag").filter(v -> !v.startsWith("W/"));
        Optional<String> lastModified = headers.firstValue("Last-Modified");
        String url = state.source.url();
        Optional<ResumeFile.Entry> entry = etag.map(v -> new ResumeFile.Entry(url, v, null))
                .or(() -> lastModified.map(v -> new ResumeFile.Entry(url, null, v)))
                .filter(e -> e.usableFor(state.source));
        state.validator = entry;
        if (entry.isPresent()) {
            resume.put(state.name, entry.get());
        } else {
            resume.remove(state.name);
        }
    }

    private void restart() throws IOException {
        long dropped = file.length();
        file.restart();
        progress.addDone(-dropped);
        from = 0;
    }

    private void closeFile() {
        try {
            file.close();
        } catch (IOException e) {
            log.warn("closing file failed file={} path={}", state.name, file.path(), e);
        }
    }

    private OptionalLong headerLong(HttpHeaders headers, String name) {
        Optional<String> value = headers.firstValue(name);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long parsed = Long.parseLong(value.get().trim());
            return parsed >= 0 ? OptionalLong.of(parsed) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            // The client rejects a malformed Content-Length itself; anything left is treated as no length.
            log.debug("ignoring unparsable header file={} url={} header={} value={}", state.name, state.source.url(),
                    name, value.get(), e);
            return OptionalLong.empty();
        }
    }
}
