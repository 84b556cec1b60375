package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * What a web page can make a browser send to a daemon on a loopback address, refused when the API has no token
 * (design §10): a {@code Host} that is neither a loopback name or address nor the listen host (DNS rebinding: the
 * attacker's name resolved to 127.0.0.1), an {@code Origin} header (fetches from pages), and a {@code Content-Type}
 * other than {@code application/json} (form posts need no preflight; an empty form still sends its type). A request
 * without a body needs no Content-Type, and one without a Host (no browser sends that) is let through. Pure: no
 * DNS, no I/O.
 */
final class BrowserGuard {
    private static final String JSON = "application/json";

    private final String listenHost;

    /** @param listenHost the {@code --listen} host as given (a name or a literal address) */
    BrowserGuard(String listenHost) {
        this.listenHost = bare(requireNonNull(listenHost, "listenHost"));
    }

    /** @throws ApiException {@code forbidden} for a foreign Host or any Origin */
    void checkHostAndOrigin(HttpHeaders headers) {
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            throw forbidden("the request has " + hosts.size() + " Host headers; send one");
        }
        if (hosts.size() == 1 && !isAllowedHost(hosts.getFirst())) {
            throw forbidden("Host '" + ApiJson.abbreviate(hosts.getFirst()) + "' is not a loopback name or address "
                    + "nor the listen host " + listenHost + " (a page from another site may be using a name that "
                    + "resolves here); without --token-file only those are served");
        }
        if (headers.contains(HttpHeaderNames.ORIGIN)) {
            throw forbidden("the request carries an Origin header, so a web page sent it; without --token-file the "
                    + "admin API serves no web page (send no Origin, or run the daemon with --token-file)");
        }
    }

    /** @throws ApiException {@code forbidden} for a body that is not declared JSON, or a non-JSON type on none */
    void checkContentType(HttpHeaders headers, boolean hasBody) {
        List<String> types = headers.getAll(HttpHeaderNames.CONTENT_TYPE);
        if (types.isEmpty()) {
            if (hasBody) {
                throw forbidden("a request body needs the header Content-Type: application/json");
            }
            return;
        }
        if (types.size() > 1 || !isJson(types.getFirst())) {
            throw forbidden("Content-Type '" + ApiJson.abbreviate(String.join(", ", types)) + "' is not "
                    + "application/json: without --token-file the admin API takes only JSON bodies (a web page can "
                    + "send forms and text to any address)");
        }
    }

    private boolean isAllowedHost(String value) {
        String host = hostPart(value.strip());
        if (host == null || host.isEmpty()) {
            return false;
        }
        String name = bare(host);
        if (name.equals("localhost") || name.equals("localhost.") || name.equals(listenHost)) {
            return true;
        }
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(name);
        if (literal == null) {
            return false;
        }
        try {
            return InetAddress.getByAddress(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false; // Not 4 or 16 bytes: not an address.
        }
    }

    /** The host of a Host value: without a port, IPv6 literals still in brackets; null when malformed. */
    private static String hostPart(String value) {
        int end;
        if (value.startsWith("[")) {
            end = value.indexOf(']') + 1;
            if (end == 0) {
                return null;
            }
        } else {
            int colon = value.indexOf(':');
            end = colon < 0 ? value.length() : colon;
        }
        String rest = value.substring(end);
        if (!rest.isEmpty() && !(rest.startsWith(":") && rest.substring(1).chars().allMatch(Character::isDigit))) {
            return null;
        }
        return value.substring(0, end);
    }

    private static String bare(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.toLowerCase(Locale.ROOT);
    }

    private static boolean isJson(String contentType) {
        int semicolon = contentType.indexOf(';');
        String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return media.equalsIgnoreCase(JSON);
    }

    private static ApiException forbidden(String message) {
        return new ApiException(ApiError.FORBIDDEN, message);
    }
}
