package dev.worker.daemon.api;

import io.netty.handler.codec.http.HttpMethod;

/** The admin API's endpoints, each one method and path pattern ({@code {x}} is a path parameter). */
public enum Route {
    ADD_CHUNK(HttpMethod.POST, "/v1/chunks", BodyLimit.SINGLE, true),
    LIST_CHUNKS(HttpMethod.GET, "/v1/chunks", BodyLimit.NONE, true),
    GET_CHUNK(HttpMethod.GET, "/v1/chunks/{id}", BodyLimit.NONE, true),
    DELETE_CHUNK(HttpMethod.DELETE, "/v1/chunks/{id}", BodyLimit.NONE, true),
    VERIFY_CHUNK(HttpMethod.POST, "/v1/chunks/{id}/verify", BodyLimit.NONE, true),
    ASSIGN(HttpMethod.PUT, "/v1/assignment", BodyLimit.ASSIGNMENT, true),
    FIND_BLOCK(HttpMethod.GET, "/v1/datasets/{dataset_id}/blocks/{block}", BodyLimit.NONE, true),
    CREATE_LEASE(HttpMethod.POST, "/v1/leases", BodyLimit.SINGLE, true),
    RELEASE_LEASE(HttpMethod.DELETE, "/v1/leases/{lease_id}", BodyLimit.NONE, true),
    STATUS(HttpMethod.GET, "/v1/status", BodyLimit.NONE, true),
    /** The status page: static, so open without the token (it asks for one and sends it on its own requests). */
    UI(HttpMethod.GET, "/ui", BodyLimit.NONE, false),
    LIVE(HttpMethod.GET, "/health/live", BodyLimit.NONE, false),
    READY(HttpMethod.GET, "/health/ready", BodyLimit.NONE, false),
    METRICS(HttpMethod.GET, "/metrics", BodyLimit.NONE, true);

    /** Which body size limit applies. A body sent to a route that takes none is refused before it is read. */
    public enum BodyLimit {
        NONE, SINGLE, ASSIGNMENT
    }

    private final HttpMethod method;
    private final String pattern;
    private final String[] segments;
    private final BodyLimit bodyLimit;
    private final boolean needsToken;

    Route(HttpMethod method, String pattern, BodyLimit bodyLimit, boolean needsToken) {
        this.method = method;
        this.pattern = pattern;
        this.segments = pattern.substring(1).split("/", -1);
        this.bodyLimit = bodyLimit;
        this.needsToken = needsToken;
    }

    public HttpMethod method() {
        return method;
    }

    public String pattern() {
        return pattern;
    }

    public BodyLimit bodyLimit() {
        return bodyLimit;
    }

    /**
     * False for the health checks, which load balancers and supervisors call without credentials, and for the
     * status page, which holds nothing of the node (its requests for data need the token).
     */
    public boolean needsToken() {
        return needsToken;
    }

    String[] segments() {
        return segments;
    }
}
