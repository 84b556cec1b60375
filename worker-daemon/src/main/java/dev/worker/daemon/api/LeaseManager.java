package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkRef;
import dev.worker.core.DataManager;
import dev.worker.core.DatasetId;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases over the admin API: a lease is a {@link ChunkRef} the daemon holds for a client until the client releases
 * it or its time runs out, so a query process can read a chunk's files without them leaving the disk underneath.
 *
 * <p>Expiry runs on a thread of its own (one timer per lease, checked against the injected {@link Clock}, so tests
 * can move time and call {@link #sweep()}). {@link #close()} releases every lease.
 */
public final class LeaseManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseManager.class);
    /** 128 bits: a lease id is unguessable, so only its holder can release it. */
    private static final int ID_BYTES = 16;

    /** A held lease. {@code ref} stays open until the lease ends. */
    public record Lease(String id, ChunkRef ref, Instant expiresAt) {
        public Lease {
            requireNonNull(id, "id");
            requireNonNull(ref, "ref");
            requireNonNull(expiresAt, "expiresAt");
        }
    }

    private final DataManager manager;
    private final Clock clock;
    private final int maxLeases;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Held> leases = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A lease and its expiry timer ({@code null} for the instant between creation and scheduling). */
    private record Held(Lease lease, ScheduledFuture<?> expiry) {
    }

    public LeaseManager(DataManager manager, Clock clock, int maxLeases) {
        this.manager = requireNonNull(manager, "manager");
        this.clock = requireNonNull(clock, "clock");
        if (maxLeases < 1) {
            throw new IllegalArgumentException("max leases must be >= 1, got " + maxLeases);
        }
        this.maxLeases = maxLeases;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("lease-expiry").factory());
    }

    /**
     * Finds the ready chunk of {@code dataset} holding {@code block} and holds it for {@code ttl}.
     *
     * @return empty when no ready chunk covers the block
     * @throws ApiException {@code too_many_leases} when the lease table is full, {@code unavailable} after close
     */
    public Optional<Lease> create(DatasetId dataset, long block, Duration ttl) {
        requireNonNull(dataset, "dataset");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lease ttl must be positive, got " + ttl);
        }
        if (closed.get()) {
            throw new ApiException(ApiError.UNAVAILABLE, "the daemon is shutting down; no new leases");
        }
        if (leases.size() >= maxLeases) {
            throw new ApiException(ApiError.TOO_MANY_LEASES, "there are " + leases.size()
                    + " active leases, the maximum; release some first");
        }
        Optional<ChunkRef> found = manager.find(dataset, block);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ChunkRef ref = found.get();
        String id = newId();
        Lease lease = new Lease(id, ref, clock.instant().plus(ttl));
        // INVARIANT: a lease leaves the table exactly once (remove hands it to one caller), so its ref is closed
        // exactly once, whichever of release, expiry and close comes first.
        Held pending = new Held(lease, null);
        leases.put(id, pending);
        ScheduledFuture<?> expiry = schedule(id, ttl);
        if (!leases.replace(id, pending, new Held(lease, expiry)) && expiry != null) {
            expiry.cancel(false);
        }
        if (closed.get()) {
            release(id);
            throw new ApiException(ApiError.UNAVAILABLE, "the daemon is shutting down; no new leases");
        }
        log.debug("lease created lease={} chunk={} expiresAt={}", id, ref.id(), lease.expiresAt());
        return Optional.of(lease);
    }

    /** Ends a lease early. False when there is no such lease (unknown, released or expired). */
    public boolean release(String id) {
        Held held = leases.remove(requireNonNull(id, "id"));
        if (held == null) {
            return false;
        }
        if (held.expiry() != null) {
            held.expiry().cancel(false);
        }
        held.lease().ref().close();
        return true;
    }

    public Optional<Lease> get(String id) {
        Held held = leases.get(id);
        return held == null ? Optional.empty() : Optional.of(held.lease());
    }

    public int active() {
        return leases.size();
    }

    /** Releases every lease whose time has come (by the clock); returns how many. */
    public int sweep() {
        Instant now = clock.instant();
        int expired = 0;
        for (Held held : leases.values()) {
            if (!now.isBefore(held.lease().expiresAt()) && release(held.lease().id())) {
                expired++;
                log.debug("lease expired lease={} chunk={}", held.lease().id(), held.lease().ref().id());
            }
        }
        return expired;
    }

    /** Releases every lease and stops the timer. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        timer.shutdownNow();
        int released = 0;
        for (String id : leases.keySet()) {
            if (release(id)) {
                released++;
            }
        }
        if (released > 0) {
            log.info("released leases on shutdown count={}", released);
        }
    }

    private ScheduledFuture<?> schedule(String id, Duration delay) {
        long nanos = Math.max(0, delay.toNanos());
        try {
            return timer.schedule(() -> expire(id), nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Closed meanwhile: close() (or the check after put in create) releases the lease.
            return null;
        }
    }

    private void expire(String id) {
        Held held = leases.get(id);
        if (held == null) {
            return;
        }
        Duration left = Duration.between(clock.instant(), held.lease().expiresAt());
        if (left.isNegative() || left.isZero()) {
            if (release(id)) {
                log.debug("lease expired lease={} chunk={}", id, held.lease().ref().id());
            }
        } else if (!closed.get()) {
            // The clock runs slower than the timer (or was set back): look again when it should be due.
            Held again = new Held(held.lease(), schedule(id, left));
            if (!leases.replace(id, held, again) && again.expiry() != null) {
                again.expiry().cancel(false);
            }
        }
    }

    private String newId() {
        byte[] bytes = new byte[ID_BYTES];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Whether {@code text} has the form of a lease id (32 lowercase hex characters). */
    public static boolean isLeaseId(String text) {
        if (text.length() != ID_BYTES * 2) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
