package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.daemon.FakeDataManager;
import dev.worker.daemon.lease.LeaseLimits;
import dev.worker.daemon.lease.LeaseManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What the admin API's tests serve from: a fake manager, its leases (system clock) and an offload executor, with
 * running contexts and embedded connections on them. {@link #close()} closes all and checks no ref is left open.
 */
final class ApiFixture implements AutoCloseable {
    final FakeDataManager manager = new FakeDataManager();
    final ExecutorService offload = Executors.newVirtualThreadPerTaskExecutor();
    final LeaseManager leases;
    private final List<EmbeddedAdmin> admins = new ArrayList<>();

    ApiFixture(int maxLeases) {
        leases = LeaseManager.withExpiryThread(manager, Clock.systemUTC(),
                LeaseLimits.defaults().withMaxLeases(maxLeases));
    }

    /** A running context as for a daemon listening on {@code listenHost}. */
    AdminContext context(BearerAuth auth, String listenHost, ApiLimits limits) {
        AdminContext context = EmbeddedAdmin.context(auth, listenHost, limits, offload);
        context.setState(new ServiceState.Running(manager, leases));
        return context;
    }

    AdminContext context(BearerAuth auth, ApiLimits limits) {
        return context(auth, "127.0.0.1", limits);
    }

    /** A connection to a running daemon on 127.0.0.1 with the default limits. */
    EmbeddedAdmin admin(BearerAuth auth) {
        return admin(context(auth, ApiLimits.defaults()));
    }

    /** A connection on {@code context}, closed with the fixture. */
    EmbeddedAdmin admin(AdminContext context) {
        EmbeddedAdmin admin = new EmbeddedAdmin(context);
        admins.add(admin);
        return admin;
    }

    @Override
    public void close() {
        admins.forEach(EmbeddedAdmin::close);
        leases.close();
        offload.close();
        assertThat(manager.openRefs()).as("open refs after the test").isZero();
    }
}
