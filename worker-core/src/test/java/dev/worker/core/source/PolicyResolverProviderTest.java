package dev.worker.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The resolver that makes the policy hold for the address actually connected to: a name whose DNS answer changed
 * since the check (rebinding) still cannot lead a download's connection to a refused address.
 */
final class PolicyResolverProviderTest {
    /** A "DNS" whose answers the test sets; no lookup leaves the process. */
    private final AtomicReference<List<InetAddress>> answer = new AtomicReference<>();
    private final InetAddressResolver builtin = new InetAddressResolver() {
        @Override
        public Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy) {
            return answer.get().stream();
        }

        @Override
        public String lookupByAddress(byte[] addr) {
            return "h";
        }
    };
    private final PolicyResolverProvider.Filtering resolver = new PolicyResolverProvider.Filtering(builtin);
    private final SourcePolicy policy = SourcePolicy.of(List.of(), List.of("127.0.0.3/32"));

    @Test
    void onADownloadThread_refusedAddressesAreDropped() throws Exception {
        answer.set(List.of(address("127.0.0.3"), address("127.0.0.1"), address("169.254.169.254")));
        List<InetAddress> seen = lookUpIn(policy);
        assertThat(seen).containsExactly(address("127.0.0.1"));
    }

    @Test
    void onADownloadThread_aNameWithOnlyRefusedAddresses_doesNotResolve() throws Exception {
        answer.set(List.of(address("127.0.0.3")));
        AtomicReference<Throwable> error = new AtomicReference<>();
        PolicyResolverProvider.scoped(policy, () -> {
            try {
                resolver.lookupByName("rebound.test", InetAddressResolver.LookupPolicy.of(
                        InetAddressResolver.LookupPolicy.IPV4));
            } catch (UnknownHostException e) {
                error.set(e);
            }
        }).run();
        assertThat(error.get()).isInstanceOf(UnknownHostException.class).hasMessageContaining("source policy");
    }

    @Test
    void onAnyOtherThread_answersAreUntouched() throws Exception {
        answer.set(List.of(address("127.0.0.3"), address("169.254.169.254")));
        List<InetAddress> seen = resolver.lookupByName("h", InetAddressResolver.LookupPolicy.of(
                InetAddressResolver.LookupPolicy.IPV4)).toList();
        assertThat(seen).hasSize(2);
    }

    @Test
    void theProviderIsInstalled_soTheJdkResolvesThroughIt() {
        // java.net.InetAddress loads resolver providers with ServiceLoader; this one must be on the list.
        assertThat(java.util.ServiceLoader.load(java.net.spi.InetAddressResolverProvider.class).stream()
                .map(p -> p.type().getName())).contains(PolicyResolverProvider.class.getName());
        assertThatThrownBy(() -> PolicyResolverProvider.scoped(policy, null)).isInstanceOf(NullPointerException.class);
    }

    private List<InetAddress> lookUpIn(SourcePolicy p) {
        AtomicReference<List<InetAddress>> seen = new AtomicReference<>();
        PolicyResolverProvider.scoped(p, () -> {
            try {
                seen.set(resolver.lookupByName("rebound.test", InetAddressResolver.LookupPolicy.of(
                        InetAddressResolver.LookupPolicy.IPV4)).toList());
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }).run();
        return seen.get();
    }

    private static InetAddress address(String literal) throws UnknownHostException {
        return InetAddress.getByAddress(Cidr.literalBytes(literal).orElseThrow());
    }
}
