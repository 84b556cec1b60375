package dev.worker.daemon;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkState;
import dev.worker.core.DataManager;
import dev.worker.core.ManagerStats;
import dev.worker.core.Uninterruptibles;
import dev.worker.core.store.DataDirectoryLockedException;
import dev.worker.daemon.api.AdminContext;
import dev.worker.daemon.api.AdminServer;
import dev.worker.daemon.api.BearerAuth;
import dev.worker.daemon.api.ServiceState;
import dev.worker.daemon.lease.LeaseManager;
import dev.worker.daemon.metrics.ApiRequestTimer;
import dev.worker.daemon.metrics.ChunkPhaseTimer;
import dev.worker.daemon.metrics.DaemonMetrics;
import dev.worker.daemon.metrics.ManagerMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: the data manager opened in the background from the start, while the admin API is bound (so
 * liveness answers and readiness says 503 during the startup scan; setting up the server and opening the manager
 * overlap instead of adding up). {@link #close()} shuts down in order: stop accepting and
 * answer requests in progress, release leases, close the manager (transfers stop, partial data stays for resume,
 * the directory lock is released).
 */
public final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    /** One snapshot still serves a whole scrape (a scrape takes a few ms even at 100,000 chunks). */
    static final Duration METRICS_SNAPSHOT_AGE = Duration.ofMillis(100);

    private final DaemonConfig config;
    private final DaemonMetrics metrics;
    private final ExecutorService offload;
    private final AdminContext context;
    private final AdminServer server;
    private final CompletableFuture<DataManager> ready = new CompletableFuture<>();
    private final Thread opener;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private boolean closing;
    private DataManager manager;
    private LeaseManager leases;
    private List<AutoCloseable> listeners = List.of();
    private volatile Optional<DataManager> openManager = Optional.empty();
    private volatile LeaseManager openLeases;
    /**
     * Held here: meters read it, and Micrometer references function counters' state weakly. Its snapshot is at
     * most {@link #METRICS_SNAPSHOT_AGE} old, so that a download's progress can be followed at that resolution.
     */
    private final ManagerMetrics managerMetrics;

    private Daemon(DaemonConfig config, DaemonMetrics metrics, ExecutorService offload, AdminContext context,
            AdminServer server, FutureTask<DataManager> opening, long startNanos) {
        this.config = config;
        this.metrics = metrics;
        this.offload = offload;
        this.context = context;
        this.server = server;
        this.opener = Thread.ofPlatform().name("manager-ready").daemon().unstarted(() -> open(opening, startNanos));
        this.managerMetrics = new ManagerMetrics(() -> openManager, () -> {
            LeaseManager l = openLeases;
            return l == null ? 0 : l.active();
        }, diskRoom(config), METRICS_SNAPSHOT_AGE, System::nanoTime);
    }

    private static DiskRoom diskRoom(DaemonConfig config) {
        return new DiskRoom(config.manager().dataDir(), config.manager().maxDiskBytes(),
                config.manager().minFreeBytes());
    }

    /**
     * Binds the admin API and starts opening the manager in the background; {@link #ready()} completes when it is
     * open (or fails with a {@link StartupException}).
     *
     * @throws StartupException when the address cannot be used (taken, unknown, non-loopback without a token)
     */
    public static Daemon start(DaemonConfig config, ManagerOpener managerOpener) throws StartupException {
        requireNonNull(config, "config");
        requireNonNull(managerOpener, "managerOpener");
        long startNanos = System.nanoTime();
        InetSocketAddress address;
        try {
            address = config.listen().resolve();
            if (config.token().isEmpty() && !config.listen().isLoopback()) {
                throw new StartupException("refusing to listen on " + config.listen() + " without --token-file: a "
                        + "non-loopback address exposes the admin API to the network; give a token file or listen on "
                        + "127.0.0.1");
            }
        } catch (UnknownHostException e) {
            throw new StartupException("cannot listen on " + config.listen() + ": unknown host " + e.getMessage(), e);
        }
        FutureTask<DataManager> opening = new FutureTask<>(() -> managerOpener.open(config.manager()));
        Thread.ofPlatform().name("manager-open").daemon().start(opening);
        try {
            return serve(config, address, opening, startNanos);
        } catch (StartupException | RuntimeException | Error e) {
            closeWhenOpened(opening);
            throw e;
        }
    }

    /** Binds the admin API and starts waiting for the manager being opened. */
    private static Daemon serve(DaemonConfig config, InetSocketAddress address, FutureTask<DataManager> opening,
            long startNanos) throws StartupException {
        BearerAuth auth = config.token().map(BearerAuth::of).orElseGet(BearerAuth::none);
        DaemonMetrics metrics = new DaemonMetrics();
        ExecutorService offload = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("admin-work-", 0).factory());
        AdminContext context = new AdminContext(auth, config.listen().host(), config.limits(), metrics::scrape,
                offload, new ApiRequestTimer(metrics.registry()), diskRoom(config));
        AdminServer server;
        try {
            server = AdminServer.start(address, context);
        } catch (IOException | RuntimeException e) {
            offload.close();
            metrics.close();
            throw new StartupException(e.getMessage(), e);
        }
        Daemon daemon = new Daemon(config, metrics, offload, context, server, opening, startNanos);
        daemon.managerMetrics.bindTo(metrics.registry());
        log.info("listening on {} (auth {}) dataDir={}", daemon.url(), auth.enabled() ? "on" : "off",
                config.manager().dataDir());
        daemon.opener.start();
        return daemon;
    }

    public static Daemon start(DaemonConfig config) throws StartupException {
        return start(config, ManagerOpener.DEFAULT);
    }

    /** Waits for the manager being opened and closes it (the server could not start). */
    private static void closeWhenOpened(FutureTask<DataManager> opening) {
        try {
            Uninterruptibles.get(opening).close();
        } catch (Exception | Error e) {
            log.warn("the data manager opened for a daemon that could not start failed to open or to close", e);
        }
    }

    private void open(FutureTask<DataManager> opening, long start) {
        DataManager opened;
        try {
            opened = Uninterruptibles.get(opening);
        } catch (DataDirectoryLockedException e) {
            ready.completeExceptionally(new StartupException(e.getMessage(), e));
            return;
        } catch (IOException e) {
            ready.completeExceptionally(new StartupException(dataDirProblem(e.getMessage()), e));
            return;
        } catch (RuntimeException | Error e) {
            log.debug("opening the data manager failed", e);
            ready.completeExceptionally(new StartupException("cannot open the data manager on "
                    + config.manager().dataDir() + ": " + e, e));
            return;
        }
        lock.lock();
        try {
            if (closing) {
                opened.close();
                ready.completeExceptionally(new StartupException("shut down during startup"));
                return;
            }
            manager = opened;
            leases = LeaseManager.withExpiryThread(opened, config.clock(), config.limits().leases());
            listeners = List.of(
                    opened.addListener(ChunkPhaseTimer.downloads(metrics.registry(), System::nanoTime)),
                    opened.addListener(ChunkPhaseTimer.removals(metrics.registry(), System::nanoTime)));
            openLeases = leases;
            openManager = Optional.of(opened);
            context.setState(new ServiceState.Running(opened, leases));
        } finally {
            lock.unlock();
        }
        ManagerStats stats = opened.stats();
        log.info("ready: chunks ready={} pending={} startupMs={}",
                stats.chunks().getOrDefault(ChunkState.READY, 0),
                stats.chunks().values().stream().mapToInt(Integer::intValue).sum()
                        - stats.chunks().getOrDefault(ChunkState.READY, 0),
                (System.nanoTime() - start) / 1_000_000);
        ready.complete(opened);
    }

    private String dataDirProblem(String message) {
        String dir = config.manager().dataDir().toString();
        String why = message == null ? "unknown I/O error" : message;
        return why.contains(dir) ? why : "cannot use data directory " + dir + ": " + why;
    }

    /** Completes with the manager once it is open; fails with a {@link StartupException} when it cannot open. */
    public CompletableFuture<DataManager> ready() {
        return ready.copy();
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.address();
    }

    public URI url() {
        InetSocketAddress a = address();
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort());
    }

    public DaemonConfig config() {
        return config;
    }

    public DaemonMetrics metrics() {
        return metrics;
    }

    /** The leases, once the manager is open. */
    public Optional<LeaseManager> leases() {
        return Optional.ofNullable(openLeases);
    }

    /** Graceful shutdown; idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
        } finally {
            lock.unlock();
        }
        log.info("shutting down: no new connections, answering requests in progress");
        server.close();
        context.setState(new ServiceState.Stopping());
        DataManager m;
        LeaseManager l;
        List<AutoCloseable> listen;
        lock.lock();
        try {
            m = manager;
            l = leases;
            listen = listeners;
        } finally {
            lock.unlock();
        }
        if (l != null) {
            l.close();
        }
        for (AutoCloseable each : listen) {
            try {
                each.close();
            } catch (Exception e) {
                log.warn("cannot remove a metrics listener", e);
            }
        }
        if (m != null) {
            m.close();
        } else {
            try {
                // Still opening: it sees `closing` when the scan ends and closes the manager itself.
                opener.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        offload.close();
        metrics.close();
        log.info("stopped");
    }
}
