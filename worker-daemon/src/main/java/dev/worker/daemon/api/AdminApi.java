package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import dev.worker.core.AssignmentResult;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.ChunkRef;
import dev.worker.core.ChunkState;
import dev.worker.core.ChunkStatus;
import dev.worker.core.ConflictingDescriptorException;
import dev.worker.core.DataManager;
import dev.worker.core.DatasetId;
import dev.worker.core.ManagerStats;
import dev.worker.daemon.lease.LeaseLimits;
import dev.worker.daemon.lease.LeaseManager;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The endpoints: each turns a routed request into a response future. Cheap calls complete at once on the caller's
 * thread; intents complete when the manager made them durable; parsing big bodies and listing many chunks run on
 * the offload executor. Failures complete the future exceptionally and {@link ErrorMapper} answers them.
 */
final class AdminApi {
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final AdminContext context;

    AdminApi(AdminContext context) {
        this.context = requireNonNull(context, "context");
    }

    /**
     * The body is the caller's: it stays readable until the returned future completes, then the caller frees it.
     *
     * @param client the client's address, as leases count it
     */
    CompletableFuture<ApiResponse> handle(Router.Match match, ByteBuf body, String client) {
        try {
            return switch (match.route()) {
                case ADD_CHUNK -> addChunk(match, body);
                case LIST_CHUNKS -> offload(() -> listChunks(match));
                case GET_CHUNK -> done(getChunk(match));
                case DELETE_CHUNK -> deleteChunk(match);
                case VERIFY_CHUNK -> verifyChunk(match);
                case ASSIGN -> offloadAsync(() -> assign(match, body));
                case FIND_BLOCK -> done(findBlock(match));
                case CREATE_LEASE -> done(createLease(match, body, client));
                case RELEASE_LEASE -> done(releaseLease(match));
                case STATUS -> offload(() -> status(match));
                case UI -> done(ui(match));
                case LIVE -> done(live(match));
                case READY -> done(ready(match));
                case METRICS -> offload(() -> metrics(match));
            };
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- chunks ----------------------------------------------------------------------------------------------

    private CompletableFuture<ApiResponse> addChunk(Router.Match match, ByteBuf body) {
        noQuery(match);
        DataManager manager = context.running().manager();
        ChunkDescriptor descriptor = ApiJson.descriptor(stream(body));
        return durable(manager.download(descriptor))
                .thenApply(v -> ApiResponse.json(HttpResponseStatus.ACCEPTED,
                        statusOrAbsent(manager, descriptor.id())));
    }

    private ApiResponse listChunks(Router.Match match) {
        Map<String, String> query = Router.query(match, Set.of("state", "dataset_id"));
        Optional<ChunkState> state = Optional.ofNullable(query.get("state")).map(s -> parse(() -> ChunkState.parse(s)));
        Optional<DatasetId> dataset = Optional.ofNullable(query.get("dataset_id"))
                .map(s -> parse(() -> DatasetId.parse(s)));
        DataManager manager = context.running().manager();
        // ?state=ready is the original list(): ready chunks that are still desired.
        List<ChunkStatus> all = state.isPresent() && state.get() == ChunkState.READY ? manager.list()
                : manager.statuses();
        byte[] json = ApiJson.write(gen -> {
            gen.writeStartObject();
            gen.writeArrayFieldStart("chunks");
            for (ChunkStatus s : all) {
                if (state.isPresent() && s.state() != state.get()) {
                    continue;
                }
                if (dataset.isPresent() && !s.descriptor().datasetId().equals(dataset.get())) {
                    continue;
                }
                ApiJson.writeStatus(gen, s);
            }
            gen.writeEndArray();
            gen.writeEndObject();
        });
        return ApiResponse.json(HttpResponseStatus.OK, json);
    }

    private ApiResponse getChunk(Router.Match match) {
        noQuery(match);
        ChunkId id = chunkId(match);
        DataManager manager = context.running().manager();
        ChunkStatus status = manager.status(id).orElseThrow(() -> new ApiException(ApiError.NOT_FOUND,
                "chunk " + id + " is not known to this worker"));
        return ApiResponse.json(HttpResponseStatus.OK, ApiJson.status(status));
    }

    private CompletableFuture<ApiResponse> deleteChunk(Router.Match match) {
        noQuery(match);
        ChunkId id = chunkId(match);
        DataManager manager = context.running().manager();
        return durable(manager.delete(id))
                .thenApply(v -> ApiResponse.json(HttpResponseStatus.ACCEPTED, statusOrAbsent(manager, id)));
    }

    /** Re-hashes a ready chunk; answered when the check is done (it runs on a background thread, not here). */
    private CompletableFuture<ApiResponse> verifyChunk(Router.Match match) {
        noQuery(match);
        ChunkId id = chunkId(match);
        DataManager manager = context.running().manager();
        if (manager.status(id).isEmpty()) {
            throw new ApiException(ApiError.NOT_FOUND, "chunk " + id + " is not known to this worker");
        }
        return manager.verify(id).thenApply(r -> ApiResponse.json(HttpResponseStatus.OK, ApiJson.write(gen -> {
            gen.writeStartObject();
            gen.writeStringField("id", r.id().toString());
            gen.writeStringField("result", switch (r.outcome()) {
                case OK -> "ok";
                case CORRUPT -> "corrupt";
                case NOT_READY -> "not_ready";
            });
            gen.writeStringField("problem", r.problem().orElse(null));
            gen.writeEndObject();
        })));
    }

    private CompletableFuture<ApiResponse> assign(Router.Match match, ByteBuf body) {
        noQuery(match);
        DataManager manager = context.running().manager();
        List<ChunkDescriptor> chunks = ApiJson.assignment(stream(body));
        CompletableFuture<AssignmentResult> assigned;
        try {
            assigned = manager.assign(chunks);
        } catch (ConflictingDescriptorException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // The set names one id twice with different descriptors.
            throw new ApiException(ApiError.INVALID_REQUEST, e.getMessage(), e);
        }
        return durable(assigned).thenApply(r -> ApiResponse.json(HttpResponseStatus.OK, ApiJson.write(gen -> {
            gen.writeStartObject();
            gen.writeNumberField("download", r.download());
            gen.writeNumberField("delete", r.delete());
            gen.writeNumberField("keep", r.keep());
            gen.writeEndObject();
        })));
    }

    // ---- find and leases -------------------------------------------------------------------------------------

    private ApiResponse findBlock(Router.Match match) {
        noQuery(match);
        DatasetId dataset = parse(() -> DatasetId.parse(match.param("dataset_id")));
        long block = block(match.param("block"));
        DataManager manager = context.running().manager();
        Optional<ChunkRef> found = manager.find(dataset, block);
        if (found.isEmpty()) {
            throw notCovered(dataset, block);
        }
        // The ref keeps the chunk from leaving while the answer is built; the caller gets no hold (leases do that).
        try (ChunkRef ref = found.get()) {
            ChunkStatus status = manager.status(ref.id()).orElseThrow(() -> notCovered(dataset, block));
            String path = ref.path().toAbsolutePath().toString();
            return ApiResponse.json(HttpResponseStatus.OK, ApiJson.write(gen -> {
                gen.writeStartObject();
                gen.writeFieldName("chunk");
                ApiJson.writeStatus(gen, status);
                gen.writeStringField("path", path);
                gen.writeEndObject();
            }));
        }
    }

    private ApiResponse createLease(Router.Match match, ByteBuf body, String client) {
        noQuery(match);
        ServiceState.Running running = context.running();
        LeaseLimits limits = context.limits().leases();
        ApiJson.LeaseRequest request = ApiJson.leaseRequest(stream(body), limits.defaultTtl().toSeconds(),
                limits.maxTtl().toSeconds());
        LeaseManager.Lease lease = switch (running.leases().create(request.dataset(), request.block(),
                Duration.ofSeconds(request.ttlSeconds()), client)) {
            case LeaseManager.Outcome.Granted g -> g.lease();
            case LeaseManager.Outcome.NotCovered n -> throw notCovered(request.dataset(), request.block());
            case LeaseManager.Outcome.PoolFull f -> throw new ApiException(ApiError.TOO_MANY_LEASES, "there are "
                    + f.max() + " active leases, the maximum; release some first");
            case LeaseManager.Outcome.ClientFull f -> throw new ApiException(ApiError.TOO_MANY_LEASES, "client "
                    + f.client() + " holds " + f.max() + " active leases, the maximum per client address "
                    + "(--max-leases-per-client); release some first");
            case LeaseManager.Outcome.Closed c -> throw new ApiException(ApiError.UNAVAILABLE,
                    "the daemon is shutting down; no new leases");
        };
        ChunkRef ref = lease.ref();
        ChunkStatus status;
        String path;
        try {
            status = running.manager().status(ref.id()).orElseThrow(
                    () -> notCovered(request.dataset(), request.block()));
            path = ref.path().toAbsolutePath().toString();
        } catch (RuntimeException e) {
            running.leases().release(lease.id());
            throw e;
        }
        return ApiResponse.json(HttpResponseStatus.CREATED, ApiJson.write(gen -> {
            gen.writeStartObject();
            gen.writeStringField("lease_id", lease.id());
            gen.writeFieldName("chunk");
            ApiJson.writeStatus(gen, status);
            gen.writeStringField("path", path);
            gen.writeStringField("expires_at", ApiJson.time(lease.expiresAt()));
            gen.writeEndObject();
        }));
    }

    private ApiResponse releaseLease(Router.Match match) {
        noQuery(match);
        String id = match.param("lease_id");
        if (!LeaseManager.isLeaseId(id)) {
            throw new ApiException(ApiError.INVALID_REQUEST,
                    "lease id must be 32 lowercase hex characters, got '" + ApiJson.abbreviate(id) + "'");
        }
        if (!context.running().leases().release(id)) {
            throw new ApiException(ApiError.NOT_FOUND, "lease " + id + " is not active (unknown, released or expired)");
        }
        return ApiResponse.noContent();
    }

    // ---- status page -----------------------------------------------------------------------------------------

    private ApiResponse status(Router.Match match) {
        noQuery(match);
        ServiceState.Running running = context.running();
        ManagerStats stats = running.manager().stats();
        byte[] json = StatusReport.json(stats, running.manager().statuses(), running.leases().active(),
                context.diskBudget(stats.diskUsedBytes()));
        return ApiResponse.json(HttpResponseStatus.OK, json);
    }

    private static ApiResponse ui(Router.Match match) {
        noQuery(match);
        return StatusPage.response();
    }

    // ---- health and metrics ----------------------------------------------------------------------------------

    private ApiResponse live(Router.Match match) {
        noQuery(match);
        return ApiResponse.json(HttpResponseStatus.OK, "{\"status\":\"live\"}".getBytes(StandardCharsets.UTF_8));
    }

    private ApiResponse ready(Router.Match match) {
        noQuery(match);
        context.running();
        return ApiResponse.json(HttpResponseStatus.OK, "{\"status\":\"ready\"}".getBytes(StandardCharsets.UTF_8));
    }

    private ApiResponse metrics(Router.Match match) {
        noQuery(match);
        byte[] text = context.scrapeMetrics().getBytes(StandardCharsets.UTF_8);
        return new ApiResponse(HttpResponseStatus.OK, text, METRICS_CONTENT_TYPE, Map.of());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private <T> CompletableFuture<T> durable(CompletableFuture<T> intent) {
        // A copy, so that the timeout does not complete the manager's own future.
        return intent.thenApply(v -> v)
                .orTimeout(context.limits().responseTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<ApiResponse> offload(Supplier<ApiResponse> work) {
        return CompletableFuture.supplyAsync(work, context.offload());
    }

    private CompletableFuture<ApiResponse> offloadAsync(Supplier<CompletableFuture<ApiResponse>> work) {
        return CompletableFuture.supplyAsync(work, context.offload()).thenCompose(f -> f);
    }

    private static CompletableFuture<ApiResponse> done(ApiResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    private static byte[] statusOrAbsent(DataManager manager, ChunkId id) {
        return manager.status(id).map(ApiJson::status).orElseGet(() -> ApiJson.absent(id));
    }

    private static void noQuery(Router.Match match) {
        Router.query(match, Set.of());
    }

    private static ChunkId chunkId(Router.Match match) {
        return parse(() -> ChunkId.parse(match.param("id")));
    }

    private static long block(String text) {
        if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ApiException(ApiError.INVALID_REQUEST, "block must be a non-negative decimal integer, got '"
                    + ApiJson.abbreviate(text) + "'");
        }
        try {
            long block = Long.parseLong(text);
            if (block < 0) {
                throw new ApiException(ApiError.INVALID_REQUEST, "block must be >= 0, got " + block);
            }
            return block;
        } catch (NumberFormatException e) {
            throw new ApiException(ApiError.INVALID_REQUEST, "block must be a non-negative integer, got '"
                    + ApiJson.abbreviate(text) + "'", e);
        }
    }

    private static ApiException notCovered(DatasetId dataset, long block) {
        return new ApiException(ApiError.NOT_FOUND, "no ready chunk of dataset " + dataset + " holds block " + block);
    }

    private static <T> T parse(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_REQUEST, e.getMessage(), e);
        }
    }

    private static InputStream stream(ByteBuf body) {
        return new ByteBufInputStream(body.duplicate());
    }
}
