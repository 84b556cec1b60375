package dev.worker.mock.drive;

import java.util.Locale;

/** How one operation ended, as counted in the report. */
enum Outcome {
    /** The expected success answer (for a lease: created, held and released). */
    OK,
    /** An expected 404: no ready chunk holds the block (find, lease). */
    NOT_FOUND,
    /** Any other answer, or no answer (transport error, timeout). */
    ERROR;

    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
