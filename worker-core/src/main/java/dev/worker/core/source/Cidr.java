package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/** An address block, {@code 10.0.0.0/8} or {@code fe80::/10}; a bare address is a block of one. */
record Cidr(byte[] network, int prefix) {
    Cidr {
        requireNonNull(network, "network");
        if (prefix < 0 || prefix > network.length * 8) {
            throw new IllegalArgumentException("prefix /" + prefix + " is out of range for " + network.length * 8
                    + "-bit addresses");
        }
        network = mask(network.clone(), prefix);
    }

    /**
     * Parses {@code address[/prefix]}; the address must be a literal (never resolved).
     *
     * @throws IllegalArgumentException naming the value when it is no CIDR
     */
    static Cidr parse(String value) {
        String text = value.strip();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!isLiteral(address)) {
            throw new IllegalArgumentException("'" + value + "' is not an IP address or CIDR block");
        }
        byte[] bytes = literalBytes(address)
                .orElseThrow(() -> new IllegalArgumentException("'" + value + "' is not an IP address or CIDR block"));
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' has no valid prefix length", e);
            }
        }
        return new Cidr(bytes, prefix);
    }

    /** Whether {@code text} looks like an IP literal rather than a host name (so it is never resolved). */
    static boolean isLiteral(String text) {
        if (text.indexOf(':') >= 0) {
            return true;
        }
        return !text.isEmpty() && text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')
                && text.chars().filter(c -> c == '.').count() == 3;
    }

    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == network.length && Arrays.equals(mask(bytes, prefix), network);
    }

    /** The bytes of an IPv4 or IPv6 literal; empty when {@code text} is none. Never looks a name up. */
    static Optional<byte[]> literalBytes(String text) {
        if (text.indexOf(':') >= 0) {
            String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            try {
                // With a colon the JDK parses an IPv6 literal and never asks a resolver.
                return Optional.of(InetAddress.getByName(bare).getAddress());
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            int octet = Integer.parseInt(parts[i]);
            if (octet > 255) {
                return Optional.empty();
            }
            bytes[i] = (byte) octet;
        }
        return Optional.of(bytes);
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        for (int i = 0; i < bytes.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (0xFF << (8 - bits));
        }
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefix == other.prefix && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
