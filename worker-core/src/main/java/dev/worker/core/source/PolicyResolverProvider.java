package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JVM's name resolver, installed through {@code META-INF/services}: the JDK's own resolver, except that on a
 * download engine's threads (see {@link #scoped}) it drops the addresses its {@link SourcePolicy} refuses whatever
 * the request (link-local, {@code --source-deny} blocks, addresses outside {@code --source-allow}). The JDK
 * HttpClient has no socket factory and resolves a host name itself, after the engine checked it: this makes the
 * check hold for the address actually connected to even if the name's DNS answer changed in between (DNS
 * rebinding). Lookups on any other thread (the admin API, ZooKeeper, ...) are the JDK's, untouched.
 */
public final class PolicyResolverProvider extends InetAddressResolverProvider {
    private static final ThreadLocal<SourcePolicy> SCOPE = new ThreadLocal<>();

    /** {@code task}, run with {@code policy} filtering the names it resolves. */
    public static Runnable scoped(SourcePolicy policy, Runnable task) {
        requireNonNull(policy, "policy");
        requireNonNull(task, "task");
        return () -> {
            SourcePolicy before = SCOPE.get();
            SCOPE.set(policy);
            try {
                task.run();
            } finally {
                if (before == null) {
                    SCOPE.remove();
                } else {
                    SCOPE.set(before);
                }
            }
        };
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        return new Filtering(configuration.builtinResolver());
    }

    @Override
    public String name() {
        return "worker-source-policy";
    }

    /** The built-in resolver with the current thread's policy applied. */
    static final class Filtering implements InetAddressResolver {
        private final InetAddressResolver builtin;

        Filtering(InetAddressResolver builtin) {
            this.builtin = requireNonNull(builtin, "builtin");
        }

        @Override
        public Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy) throws UnknownHostException {
            Stream<InetAddress> found = builtin.lookupByName(host, lookupPolicy);
            SourcePolicy policy = SCOPE.get();
            if (policy == null) {
                return found;
            }
            boolean byName = policy.allowedByName(host);
            List<InetAddress> kept = found.filter(a -> policy.checkAddress(host, a, byName).isEmpty()).toList();
            if (kept.isEmpty()) {
                throw new UnknownHostException(host + ": every address it resolved to is refused by the source policy");
            }
            return kept.stream();
        }

        @Override
        public String lookupByAddress(byte[] addr) throws UnknownHostException {
            return builtin.lookupByAddress(addr);
        }
    }
}
