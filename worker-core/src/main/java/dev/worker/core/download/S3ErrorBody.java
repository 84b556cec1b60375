package dev.worker.core.download;

import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The error code of an S3 error answer ({@code <Error><Code>NoSuchKey</Code>...}), read from the first few KiB of its
 * body. Only the code is kept: the rest of such a body can echo the request (SignatureDoesNotMatch carries the
 * canonical request, and with it a session token), which must never reach {@code last_error} or a log.
 */
final class S3ErrorBody {
    static final int MAX_BYTES = 16 * 1024;
    private static final Pattern CODE = Pattern.compile("<Code>([A-Za-z0-9._-]{1,64})</Code>");

    private S3ErrorBody() {
    }

    /** Reads what arrives of the body (at most {@link #MAX_BYTES}, each wait at most {@code wait}) for its code. */
    static Optional<String> code(ResponseStream stream, Duration wait) throws InterruptedException {
        ByteBuffer body = ByteBuffer.allocate(MAX_BYTES);
        while (body.hasRemaining()) {
            ResponseStream.Event event = stream.poll(wait);
            if (!(event instanceof ResponseStream.Data data)) {
                break;
            }
            for (ByteBuffer buffer : data.buffers()) {
                int n = Math.min(buffer.remaining(), body.remaining());
                body.put(buffer.slice(buffer.position(), n));
            }
            stream.request(1);
        }
        return parse(new String(body.array(), 0, body.position(), StandardCharsets.UTF_8));
    }

    /**
     * What an S3 error answer means for the attempt: 408, 429 and 5xx (SlowDown) are retried, never before
     * Retry-After; any other status is permanent (403 SignatureDoesNotMatch, InvalidAccessKeyId, AccessDenied; 404
     * NoSuchKey; ...). The message names the store's error code and nothing else from the body.
     */
    static AttemptResult result(ResponseStream stream, Duration wait, int status, HttpHeaders headers, String describe,
            Instant now) throws InterruptedException {
        String what = "S3 " + code(stream, wait).orElse("error without a code") + " (HTTP " + status + ") for "
                + describe;
        if (status == 408 || status == 429 || (status >= 500 && status <= 599)) {
            Optional<Duration> retryAfter = headers.firstValue("Retry-After").flatMap(v -> RetryAfter.parse(v, now));
            RetryReason reason = status == 408 ? RetryReason.HTTP_408
                    : status == 429 ? RetryReason.HTTP_429 : RetryReason.HTTP_5XX;
            return new AttemptResult.Retry(reason, what
                    + retryAfter.map(d -> " (Retry-After " + d.toMillis() + " ms)").orElse(""), retryAfter);
        }
        return new AttemptResult.Fail("http_" + status, what);
    }

    static Optional<String> parse(String xml) {
        Matcher m = CODE.matcher(xml);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
