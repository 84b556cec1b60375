package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which addresses a download may connect to (design section 10). Built in: never a link-local address
 * (169.254.0.0/16, fe80::/10: cloud metadata services), and never a loopback or private address reached by a redirect
 * from a public one. {@code --source-deny} refuses host names ({@code host} or {@code .suffix}) and address blocks;
 * {@code --source-allow}, when given, admits only the host names and address blocks it lists. Loopback and private
 * sources named directly stay allowed by default (the demo, tests and benches use them).
 *
 * <p>A pure function of its lists: {@link #check} looks at a host name and the addresses it resolved to, and the
 * engine calls it before every connection, including every redirect hop. Immutable and thread-safe.
 */
public final class SourcePolicy {
    /** The rules a refusal names, as they appear in {@code last_error}. */
    public static final String LINK_LOCAL = "link_local";
    public static final String DENIED = "source_deny";
    public static final String NOT_ALLOWED = "source_allow";
    public static final String REDIRECT_TO_PRIVATE = "redirect_to_private";

    private static final List<Cidr> LINK_LOCAL_BLOCKS = List.of(Cidr.parse("169.254.0.0/16"), Cidr.parse("fe80::/10"));
    private static final List<Cidr> PRIVATE_BLOCKS = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("10.0.0.0/8"),
            Cidr.parse("172.16.0.0/12"), Cidr.parse("192.168.0.0/16"), Cidr.parse("100.64.0.0/10"),
            Cidr.parse("0.0.0.0/8"), Cidr.parse("::1/128"), Cidr.parse("::/128"), Cidr.parse("fc00::/7"));

    /** Why a connection is refused: the rule's name and a sentence built from the request alone. */
    public record Refusal(String rule, String reason) {
        public Refusal {
            requireNonNull(rule, "rule");
            requireNonNull(reason, "reason");
        }
    }

    private final List<String> allowHosts;
    private final List<Cidr> allowBlocks;
    private final List<String> denyHosts;
    private final List<Cidr> denyBlocks;

    private SourcePolicy(List<String> allowHosts, List<Cidr> allowBlocks, List<String> denyHosts,
            List<Cidr> denyBlocks) {
        this.allowHosts = List.copyOf(allowHosts);
        this.allowBlocks = List.copyOf(allowBlocks);
        this.denyHosts = List.copyOf(denyHosts);
        this.denyBlocks = List.copyOf(denyBlocks);
    }

    /** Only the built-in rules. */
    public static SourcePolicy defaults() {
        return of(List.of(), List.of());
    }

    /**
     * The built-in rules narrowed by {@code allow} and {@code deny}: each entry a CIDR block or address
     * ({@code 10.0.0.0/8}, {@code 127.0.0.3}, {@code fd00::/8}), a host name ({@code cdn.example.com}) or a domain
     * suffix ({@code .example.com}).
     *
     * @throws IllegalArgumentException naming an entry that is none of these
     */
    public static SourcePolicy of(List<String> allow, List<String> deny) {
        requireNonNull(allow, "allow");
        requireNonNull(deny, "deny");
        List<String> allowHosts = new ArrayList<>();
        List<Cidr> allowBlocks = new ArrayList<>();
        List<String> denyHosts = new ArrayList<>();
        List<Cidr> denyBlocks = new ArrayList<>();
        split(allow, "--source-allow", allowHosts, allowBlocks);
        split(deny, "--source-deny", denyHosts, denyBlocks);
        return new SourcePolicy(allowHosts, allowBlocks, denyHosts, denyBlocks);
    }

    /**
     * Checks one connection: to {@code host} (a name or a literal), which resolved to {@code addresses}, reached by
     * a redirect from a public address when {@code fromPublic}. Every address must pass.
     */
    public Optional<Refusal> check(String host, List<InetAddress> addresses, boolean fromPublic) {
        requireNonNull(host, "host");
        requireNonNull(addresses, "addresses");
        String name = host.toLowerCase(Locale.ROOT);
        if (denyHosts.stream().anyMatch(entry -> matches(entry, name))) {
            return Optional.of(new Refusal(DENIED, "host " + host + " is listed in --source-deny"));
        }
        boolean allowedByName = allowHosts.stream().anyMatch(entry -> matches(entry, name));
        for (InetAddress address : addresses) {
            Optional<Refusal> refused = checkAddress(host, address, allowedByName);
            if (refused.isPresent()) {
                return refused;
            }
            if (fromPublic && isPrivate(address)) {
                return Optional.of(new Refusal(REDIRECT_TO_PRIVATE, "a redirect from a public address may not lead to "
                        + host + ", a loopback or private address"));
            }
        }
        return Optional.empty();
    }

    /**
     * The rules that hold for an address whatever the request: link-local, {@code --source-deny} blocks and, unless
     * the host name is allowed by name, {@code --source-allow}.
     */
    Optional<Refusal> checkAddress(String host, InetAddress address, boolean allowedByName) {
        if (LINK_LOCAL_BLOCKS.stream().anyMatch(b -> b.contains(address)) || address.isLinkLocalAddress()) {
            return Optional.of(new Refusal(LINK_LOCAL, host + " is a link-local address"));
        }
        if (denyBlocks.stream().anyMatch(b -> b.contains(address))) {
            return Optional.of(new Refusal(DENIED, host + " is in a --source-deny block"));
        }
        boolean restricted = !allowHosts.isEmpty() || !allowBlocks.isEmpty();
        if (restricted && !allowedByName && allowBlocks.stream().noneMatch(b -> b.contains(address))) {
            return Optional.of(new Refusal(NOT_ALLOWED, host + " is not in --source-allow"));
        }
        return Optional.empty();
    }

    /** Whether {@code host} is allowed by name in {@code --source-allow}. */
    boolean allowedByName(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        return allowHosts.stream().anyMatch(entry -> matches(entry, name));
    }

    /** A loopback, private (RFC 1918, CGNAT, IPv6 unique-local) or unspecified address. */
    public static boolean isPrivate(InetAddress address) {
        return PRIVATE_BLOCKS.stream().anyMatch(b -> b.contains(address)) || address.isLoopbackAddress()
                || address.isSiteLocalAddress() || address.isAnyLocalAddress();
    }

    /** Neither private nor link-local nor multicast: an address on the internet. */
    public static boolean isPublic(InetAddress address) {
        return (address instanceof Inet4Address || address instanceof Inet6Address) && !isPrivate(address)
                && !address.isLinkLocalAddress() && LINK_LOCAL_BLOCKS.stream().noneMatch(b -> b.contains(address))
                && !address.isMulticastAddress();
    }

    private static boolean matches(String entry, String host) {
        return entry.startsWith(".") ? host.endsWith(entry) || host.equals(entry.substring(1)) : host.equals(entry);
    }

    private static void split(List<String> entries, String flag, List<String> hosts, List<Cidr> blocks) {
        for (String raw : entries) {
            String entry = requireNonNull(raw, flag + " entry").strip().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.indexOf(':') >= 0 || entry.indexOf('/') >= 0 || Cidr.literalBytes(entry).isPresent()) {
                try {
                    blocks.add(Cidr.parse(entry));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
                }
            } else if (entry.matches("\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
                    && !entry.matches("[0-9.]+")) {
                hosts.add(entry);
            } else {
                throw new IllegalArgumentException(flag + ": '" + raw + "' is neither a CIDR block, an address, a host "
                        + "name nor a .suffix");
            }
        }
    }

    @Override
    public String toString() {
        return "SourcePolicy[allow=" + allowHosts + allowBlocks + ", deny=" + denyHosts + denyBlocks + "]";
    }
}
