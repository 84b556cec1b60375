package dev.worker.mock.drive;

import java.util.Locale;
import java.util.Optional;

/** The kinds of operation the driver plays against the daemon. */
enum OpKind {
    /** {@code POST /v1/chunks} with a manifest descriptor. */
    DOWNLOAD,
    /** {@code DELETE /v1/chunks/{id}}. */
    DELETE,
    /** {@code PUT /v1/assignment} with a random subset of the chunks. */
    ASSIGN,
    /** {@code GET /v1/datasets/{d}/blocks/{b}}. */
    FIND,
    /** {@code POST /v1/leases}, a short hold, then {@code DELETE /v1/leases/{id}}. */
    LEASE;

    /** The name used in {@code --mix} and in reports, e.g. {@code download}. */
    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<OpKind> byWireName(String name) {
        for (OpKind kind : values()) {
            if (kind.wireName().equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
