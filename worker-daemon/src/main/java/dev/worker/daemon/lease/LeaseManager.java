package dev.worker.daemon.lease;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkRef;
import dev.worker.core.DataManager;
import dev.worker.core.DatasetId;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases: a lease is a {@link ChunkRef} the daemon holds for a client until the client releases it or its time runs
 * out, so a query process can read a chunk's files without them leaving the disk underneath. The pool is bounded in
 * total and per client address ({@link LeaseLimits}).
 *
 * <p>Expiry: the {@link ExpiryScheduler} prompts a look at a lease when it should be due; the {@link Clock} decides
 * (a prompt that comes early schedules another), so tests move their clock and run the prompts by hand.
 * {@link #close()} releases every lease and refuses new ones.
 */
public final class LeaseManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseManager.class);
    /** 128 bits: a lease id is unguessable, so only its holder can release it. */
    private static final int ID_BYTES = 16;

    /** A held lease. {@code ref} stays open until the lease ends. */
    public record Lease(String id, String client, ChunkRef ref, Instant expiresAt) {
        public Lease {
            requireNonNull(id, "id");
            requireNonNull(client, "client");
            requireNonNull(ref, "ref");
            requireNonNull(expiresAt, "expiresAt");
        }
    }

    /** What {@link #create} answers. */
    public sealed interface Outcome {
        /** The lease is held. */
        record Granted(Lease lease) implements Outcome {
        }

        /** No ready chunk of the dataset holds the block. */
        record NotCovered() implements Outcome {
        }

        /** {@code max} leases are active, the most the pool holds. */
        record PoolFull(int max) implements Outcome {
        }

        /** The client address holds {@code max} leases, the most one address may hold. */
        record ClientFull(String client, int max) implements Outcome {
        }

        /** The service is closed (the daemon is shutting down). */
        record Closed() implements Outcome {
        }
    }

    private final DataManager manager;
    private final Clock clock;
    private final LeaseLimits limits;
    private final ExpiryScheduler scheduler;
    private final Runnable onClose;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Held> leases = new ConcurrentHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock. INVARIANT: taken counts the leases in `leases` plus those between their reservation and
    // their entry (or their refusal), and perClient splits it by client (no zero entries); so taken <= maxLeases
    // and each client's count <= maxLeasesPerClient at every instant. A lease enters `leases` only under the lock
    // and only while !closed, so close() sees every lease.
    private int taken;
    private final Map<String, Integer> perClient = new HashMap<>();
    private boolean closed;

    /** A lease and its expiry prompt ({@code null} for the instant between its entry and its scheduling). */
    private record Held(Lease lease, Future<?> expiry) {
    }

    /** Expiry on {@code scheduler}, which the caller owns. */
    public LeaseManager(DataManager manager, Clock clock, LeaseLimits limits, ExpiryScheduler scheduler) {
        this(manager, clock, limits, scheduler, () -> {
        });
    }

    private LeaseManager(DataManager manager, Clock clock, LeaseLimits limits, ExpiryScheduler scheduler,
            Runnable onClose) {
        this.manager = requireNonNull(manager, "manager");
        this.clock = requireNonNull(clock, "clock");
        this.limits = requireNonNull(limits, "limits");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.onClose = onClose;
    }

    /** Expiry on a timer thread of its own, stopped by {@link #close()}. */
    public static LeaseManager withExpiryThread(DataManager manager, Clock clock, LeaseLimits limits) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("lease-expiry").factory());
        return new LeaseManager(manager, clock, limits, ExpiryScheduler.on(timer), timer::shutdownNow);
    }

    public LeaseLimits limits() {
        return limits;
    }

    /**
     * Finds the ready chunk of {@code dataset} holding {@code block} and holds it for {@code ttl} on behalf of
     * {@code client} (its address).
     */
    public Outcome create(DatasetId dataset, long block, Duration ttl, String client) {
        requireNonNull(dataset, "dataset");
        requireNonNull(client, "client");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lease ttl must be positive, got " + ttl);
        }
        Outcome refused = reserve(client);
        if (refused != null) {
            return refused;
        }
        Optional<ChunkRef> found;
        try {
            found = manager.find(dataset, block);
        } catch (RuntimeException | Error e) {
            unreserve(client);
            throw e;
        }
        if (found.isEmpty()) {
            unreserve(client);
            return new Outcome.NotCovered();
        }
        Lease lease = new Lease(newId(), client, found.get(), clock.instant().plus(ttl));
        Held entered = new Held(lease, null);
        if (!enter(entered)) {
            lease.ref().close();
            unreserve(client);
            return new Outcome.Closed();
        }
        Future<?> expiry = schedule(lease.id(), ttl);
        if (!leases.replace(lease.id(), entered, new Held(lease, expiry)) && expiry != null) {
            expiry.cancel(false); // Released meanwhile.
        }
        log.debug("lease created lease={} chunk={} client={} expiresAt={}", lease.id(), lease.ref().id(), client,
                lease.expiresAt());
        return new Outcome.Granted(lease);
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
        // The ref closes before the place is given back: refs held for leases never exceed the pool's bound.
        held.lease().ref().close();
        unreserve(held.lease().client());
        return true;
    }

    public Optional<Lease> get(String id) {
        Held held = leases.get(id);
        return held == null ? Optional.empty() : Optional.of(held.lease());
    }

    /** Leases held now. */
    public int active() {
        return leases.size();
    }

    /** Releases every lease whose time has come by the clock; returns how many. */
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

    /** Releases every lease, refuses new ones and stops the expiry thread if it owns one. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        onClose.run();
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

    /** Takes a place in the pool for {@code client}, or says why not. */
    private Outcome reserve(String client) {
        lock.lock();
        try {
            if (closed) {
                return new Outcome.Closed();
            }
            if (taken >= limits.maxLeases()) {
                return new Outcome.PoolFull(limits.maxLeases());
            }
            int mine = perClient.getOrDefault(client, 0);
            if (mine >= limits.maxLeasesPerClient()) {
                return new Outcome.ClientFull(client, limits.maxLeasesPerClient());
            }
            taken++;
            perClient.put(client, mine + 1);
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void unreserve(String client) {
        lock.lock();
        try {
            taken--;
            int left = perClient.merge(client, -1, Integer::sum);
            if (left <= 0) {
                perClient.remove(client);
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean enter(Held held) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            leases.put(held.lease().id(), held);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private Future<?> schedule(String id, Duration delay) {
        try {
            return scheduler.schedule(delay, () -> expire(id));
        } catch (RejectedExecutionException e) {
            // Closed meanwhile: close() releases the lease.
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
            return;
        }
        // The clock runs slower than the scheduler (or was set back): look again when it should be due.
        Held again = new Held(held.lease(), schedule(id, left));
        if (!leases.replace(id, held, again) && again.expiry() != null) {
            again.expiry().cancel(false);
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
