package dev.worker.daemon.api;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Matches a request's method and target against {@link Route}. Pure: no I/O, no state. */
public final class Router {
    private Router() {
    }

    /** A matched request: the route, its decoded path parameters and its query parameters. */
    public record Match(Route route, Map<String, String> params, Map<String, List<String>> query) {
        public Match {
            params = Map.copyOf(params);
            query = Map.copyOf(query);
        }

        public String param(String name) {
            String value = params.get(name);
            if (value == null) {
                throw new IllegalStateException("route " + route + " has no parameter " + name);
            }
            return value;
        }
    }

    /**
     * @throws ApiException {@code invalid_request} for a bad percent-encoding, {@code not_found} for an unknown path,
     *                      {@code method_not_allowed} (with an {@code Allow} header) for a known path and wrong method
     */
    public static Match route(HttpMethod method, String uri) {
        QueryStringDecoder decoder;
        String[] parts;
        Map<String, List<String>> query;
        try {
            decoder = new QueryStringDecoder(uri);
            String rawPath = decoder.rawPath();
            if (!rawPath.startsWith("/")) {
                throw new ApiException(ApiError.NOT_FOUND, "no such path: " + ApiJson.abbreviate(uri));
            }
            parts = rawPath.substring(1).split("/", -1);
            for (int i = 0; i < parts.length; i++) {
                parts[i] = QueryStringDecoder.decodeComponent(parts[i]);
            }
            query = decoder.parameters();
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_REQUEST, "bad URL encoding in " + ApiJson.abbreviate(uri)
                    + ": " + e.getMessage(), e);
        }
        Set<HttpMethod> allowed = new LinkedHashSet<>();
        for (Route route : Route.values()) {
            Map<String, String> params = match(route.segments(), parts);
            if (params == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match(route, params, query);
            }
            allowed.add(route.method());
        }
        if (allowed.isEmpty()) {
            throw new ApiException(ApiError.NOT_FOUND, "no such path: " + ApiJson.abbreviate(decoder.rawPath()));
        }
        String allow = allowed.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
        throw new ApiException(ApiError.METHOD_NOT_ALLOWED, method.name() + " is not allowed on "
                + ApiJson.abbreviate(decoder.rawPath()) + " (allowed: " + allow + ")", Map.of("Allow", allow), null);
    }

    private static Map<String, String> match(String[] pattern, String[] parts) {
        if (pattern.length != parts.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), parts[i]);
            } else if (!p.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    /** The allowed query parameters of a route, each at most once; anything else is {@code invalid_request}. */
    public static Map<String, String> query(Match match, Set<String> allowed) {
        Map<String, String> result = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : match.query().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                unknown.add(ApiJson.abbreviate(e.getKey()));
                continue;
            }
            if (e.getValue().size() != 1) {
                throw new ApiException(ApiError.INVALID_REQUEST, "query parameter " + e.getKey()
                        + " given " + e.getValue().size() + " times; give it once");
            }
            result.put(e.getKey(), e.getValue().getFirst());
        }
        if (!unknown.isEmpty()) {
            throw new ApiException(ApiError.INVALID_REQUEST, "unknown query parameter " + String.join(", ", unknown)
                    + (allowed.isEmpty() ? " (this endpoint takes none)" : " (expected " + allowed + ")"));
        }
        return result;
    }
}
