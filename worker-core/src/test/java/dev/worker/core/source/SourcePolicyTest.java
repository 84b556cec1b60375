package dev.worker.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The source policy as a pure function: no address here is ever connected to. */
final class SourcePolicyTest {
    private static final SourcePolicy DEFAULTS = SourcePolicy.defaults();

    @Test
    void linkLocal_isRefusedByDefault_v4AndV6_directOrByRedirect() throws Exception {
        assertThat(rule(DEFAULTS, "metadata", "169.254.169.254", false)).contains(SourcePolicy.LINK_LOCAL);
        assertThat(rule(DEFAULTS, "metadata", "fe80::1", false)).contains(SourcePolicy.LINK_LOCAL);
        assertThat(rule(DEFAULTS, "metadata", "169.254.0.1", true)).contains(SourcePolicy.LINK_LOCAL);
    }

    @Test
    void loopbackAndPrivate_namedDirectly_areAllowedByDefault() throws Exception {
        for (String address : List.of("127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "fd00::5")) {
            assertThat(rule(DEFAULTS, "h", address, false)).as(address).isEmpty();
        }
    }

    @Test
    void redirectFromPublic_toLoopbackOrPrivate_isRefused_toPublic_allowed() throws Exception {
        for (String address : List.of("127.0.0.1", "::1", "10.0.0.1", "192.168.0.1", "100.64.0.1", "fc00::1")) {
            assertThat(rule(DEFAULTS, "h", address, true)).as(address).contains(SourcePolicy.REDIRECT_TO_PRIVATE);
        }
        assertThat(rule(DEFAULTS, "h", "93.184.216.34", true)).isEmpty();
    }

    @Test
    void publicOrPrivate_classifiesAddresses() throws Exception {
        assertThat(SourcePolicy.isPublic(address("8.8.8.8"))).isTrue();
        assertThat(SourcePolicy.isPublic(address("2001:4860::8888"))).isTrue();
        assertThat(SourcePolicy.isPublic(address("127.0.0.1"))).isFalse();
        assertThat(SourcePolicy.isPublic(address("169.254.1.1"))).isFalse();
        assertThat(SourcePolicy.isPrivate(address("172.31.255.255"))).isTrue();
        assertThat(SourcePolicy.isPrivate(address("172.32.0.0"))).isFalse();
    }

    @Test
    void deny_blocksAddressesAndHostNamesAndSuffixes() throws Exception {
        SourcePolicy policy = SourcePolicy.of(List.of(), List.of("127.0.0.3/32", "evil.example", ".internal"));
        assertThat(rule(policy, "h", "127.0.0.3", false)).contains(SourcePolicy.DENIED);
        assertThat(rule(policy, "h", "127.0.0.4", false)).isEmpty();
        assertThat(rule(policy, "evil.example", "93.184.216.34", false)).contains(SourcePolicy.DENIED);
        assertThat(rule(policy, "db.internal", "93.184.216.34", false)).contains(SourcePolicy.DENIED);
        assertThat(rule(policy, "internal", "93.184.216.34", false)).contains(SourcePolicy.DENIED);
        assertThat(rule(policy, "notinternal", "93.184.216.34", false)).isEmpty();
    }

    @Test
    void allow_admitsOnlyItsEntries_butNeverLinkLocal() throws Exception {
        SourcePolicy policy = SourcePolicy.of(List.of("127.0.0.0/8", ".cdn.example"), List.of());
        assertThat(rule(policy, "h", "127.0.0.9", false)).isEmpty();
        assertThat(rule(policy, "h", "10.0.0.1", false)).contains(SourcePolicy.NOT_ALLOWED);
        assertThat(rule(policy, "a.cdn.example", "93.184.216.34", false)).isEmpty();
        assertThat(rule(policy, "a.cdn.example", "169.254.169.254", false)).contains(SourcePolicy.LINK_LOCAL);
    }

    @Test
    void aNameWithOneRefusedAddressAmongSeveral_isRefused() throws Exception {
        Optional<SourcePolicy.Refusal> refusal = DEFAULTS.check("h",
                List.of(address("127.0.0.1"), address("169.254.169.254")), false);
        assertThat(refusal).map(SourcePolicy.Refusal::rule).contains(SourcePolicy.LINK_LOCAL);
    }

    @Test
    void badEntries_areRejectedNamingTheFlagAndEntry() {
        assertThatThrownBy(() -> SourcePolicy.of(List.of(), List.of("10.0.0.0/33")))
                .hasMessageContaining("--source-deny").hasMessageContaining("out of range");
        assertThatThrownBy(() -> SourcePolicy.of(List.of("300.1.1.1"), List.of()))
                .hasMessageContaining("--source-allow").hasMessageContaining("300.1.1.1");
        assertThatThrownBy(() -> SourcePolicy.of(List.of("bad host!"), List.of()))
                .hasMessageContaining("bad host!");
    }

    private static Optional<String> rule(SourcePolicy policy, String host, String address, boolean fromPublic)
            throws UnknownHostException {
        return policy.check(host, List.of(address(address)), fromPublic).map(SourcePolicy.Refusal::rule);
    }

    private static InetAddress address(String literal) throws UnknownHostException {
        return InetAddress.getByAddress(Cidr.literalBytes(literal).orElseThrow());
    }
}
