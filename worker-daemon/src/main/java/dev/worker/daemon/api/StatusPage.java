package dev.worker.daemon.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /ui}: the status page, one self-contained HTML file ({@code status.html} beside this class) whose script
 * reads {@code GET /v1/status} with the token it asks for. Its Content-Security-Policy allows only its own inline
 * script and style (by hash) and requests to this origin: the page can load nothing from elsewhere, nor be framed.
 */
final class StatusPage {
    private static final String RESOURCE = "status.html";
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
    private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL);
    private static final ApiResponse RESPONSE = load();

    private StatusPage() {
    }

    static ApiResponse response() {
        return RESPONSE;
    }

    private static ApiResponse load() {
        String html;
        try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing beside " + StatusPage.class.getName());
            }
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        String policy = "default-src 'none'; script-src " + hash(SCRIPT, html) + "; style-src " + hash(STYLE, html)
                + "; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
                + "frame-ancestors 'none'";
        return new ApiResponse(HttpResponseStatus.OK, html.getBytes(StandardCharsets.UTF_8),
                "text/html; charset=utf-8", Map.of("Content-Security-Policy", policy,
                "X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer", "X-Frame-Options", "DENY"));
    }

    /** The CSP source of the one inline block the pattern finds. */
    private static String hash(Pattern block, String html) {
        Matcher m = block.matcher(html);
        if (!m.find()) {
            throw new IllegalStateException(RESOURCE + " has no " + block.pattern() + " block");
        }
        String content = m.group(1);
        if (m.find()) {
            throw new IllegalStateException(RESOURCE + " has more than one " + block.pattern() + " block");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
