package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the driver wants of each chunk, and the history of its intents, to judge what the daemon answers.
 *
 * <p>The rule that makes the model sound under concurrency: <b>intents on one chunk are serialised by the caller</b>
 * (a download or delete holds the chunk's lock from sending the request until its answer is recorded; an assignment
 * holds every chunk's lock). The daemon applies an intent before it answers it, so for each chunk the acknowledged
 * intents were applied in the order they were sent, and the desired state is the last acknowledged intent.
 *
 * <p>An intent answered with a 4xx was not applied ({@link #reject}). One that got no answer or a 5xx may or may not
 * have been ({@link #uncertain}): it keeps the chunk's desired state {@link Desired#UNKNOWN} until a later intent is
 * acknowledged, and it counts as possibly applied at any time after it was sent.
 *
 * <p>A find sent at {@code t0} and answered at {@code t1} may return a chunk when the daemon could have wanted it at
 * some instant of {@code [t0, t1]}: when the last intent acknowledged by {@code t0} was a download, or when a
 * download was in flight at any time in the window (sent before {@code t1}, not acknowledged before {@code t0}).
 * Only a chunk whose every intent in that window was a delete is flagged. Time is {@link System#nanoTime()}-like
 * and passed in, so the rules are tested without threads.
 *
 * <p>Histories are compacted as they grow: of the intents acknowledged more than {@code horizon} before a new one,
 * only the newest is kept. A find sent before that one was acknowledged is not judged (the answer is taken as
 * possible), so compaction never produces a false alarm.
 */
final class DriverModel {
    /** What the driver wants of a chunk. */
    enum Desired {
        PRESENT, ABSENT, UNKNOWN
    }

    private enum Resolution {
        PENDING, ACKNOWLEDGED, REJECTED, UNCERTAIN
    }

    private final long originNanos;
    private final long horizonNanos;
    private final ConcurrentHashMap<ChunkId, History> histories = new ConcurrentHashMap<>();

    /**
     * @param initial     the chunks the daemon knows at the start, and whether each is wanted (every state but
     *                    {@code removing})
     * @param originNanos the start of the run, for times in messages
     * @param horizon     how long an acknowledged intent stays relevant to finds after a newer one (longer than any
     *                    request can take)
     */
    DriverModel(Map<ChunkId, Boolean> initial, long originNanos, Duration horizon) {
        this.originNanos = originNanos;
        this.horizonNanos = requireNonNull(horizon, "horizon").toNanos();
        if (horizonNanos <= 0) {
            throw new IllegalArgumentException("horizon must be > 0, got " + horizon);
        }
        requireNonNull(initial, "initial").forEach((id, present) -> {
            Entry entry = new Entry(present, Long.MIN_VALUE, true);
            entry.resolution = Resolution.ACKNOWLEDGED;
            entry.acknowledged = Long.MIN_VALUE;
            history(id).entries.add(entry);
        });
    }

    /** A sent intent, resolved exactly once with {@link #acknowledge}, {@link #reject} or {@link #uncertain}. */
    static final class Intent {
        private final ChunkId chunk;
        private final History history;
        private final Entry entry;

        private Intent(ChunkId chunk, History history, Entry entry) {
            this.chunk = chunk;
            this.history = history;
            this.entry = entry;
        }

        ChunkId chunk() {
            return chunk;
        }

        boolean present() {
            return entry.present;
        }
    }

    /** Records an intent about to be sent; the caller holds the chunk's lock until the intent is resolved. */
    Intent intend(ChunkId chunk, boolean present, long sentNanos) {
        History history = history(requireNonNull(chunk, "chunk"));
        Entry entry = new Entry(present, sentNanos, false);
        history.lock.lock();
        try {
            history.compact(sentNanos - horizonNanos);
            history.entries.add(entry);
        } finally {
            history.lock.unlock();
        }
        return new Intent(chunk, history, entry);
    }

    /** Records an assignment about to be sent: one intent per chunk, present or not. */
    List<Intent> intendAll(Map<ChunkId, Boolean> intents, long sentNanos) {
        List<Intent> list = new ArrayList<>(intents.size());
        intents.forEach((chunk, present) -> list.add(intend(chunk, present, sentNanos)));
        return list;
    }

    /** The daemon answered the intent with success at {@code nanos}: it was applied before then. */
    void acknowledge(Intent intent, long nanos) {
        resolve(intent, Resolution.ACKNOWLEDGED, nanos);
    }

    /** The daemon refused the intent (4xx): it changed nothing. */
    void reject(Intent intent) {
        resolve(intent, Resolution.REJECTED, Long.MAX_VALUE);
    }

    /** No answer, or a 5xx: the intent may have been applied, at any time from when it was sent. */
    void uncertain(Intent intent) {
        resolve(intent, Resolution.UNCERTAIN, Long.MAX_VALUE);
    }

    /** The chunks the model knows of: known at the start or named by an intent. */
    Set<ChunkId> known() {
        return new TreeSet<>(histories.keySet());
    }

    /** The chunks whose desired state is {@code which}, sorted. */
    Set<ChunkId> chunks(Desired which) {
        Set<ChunkId> set = new TreeSet<>();
        histories.forEach((id, history) -> {
            if (history.desired() == which) {
                set.add(id);
            }
        });
        return set;
    }

    Desired desired(ChunkId chunk) {
        History history = histories.get(chunk);
        return history == null ? Desired.ABSENT : history.desired();
    }

    /**
     * Whether the daemon could rightly answer a find (or lease) sent at {@code sentNanos} and answered at
     * {@code answeredNanos} with {@code chunk}.
     */
    boolean mayBeFound(ChunkId chunk, long sentNanos, long answeredNanos) {
        History history = histories.get(chunk);
        if (history == null) {
            return false;
        }
        history.lock.lock();
        try {
            if (sentNanos < history.forgottenUntil) {
                return true;
            }
            Entry before = null;
            for (Entry e : history.entries) {
                if (e.resolution == Resolution.ACKNOWLEDGED && e.acknowledged <= sentNanos) {
                    before = e;
                }
            }
            if (before != null && before.present) {
                return true;
            }
            for (Entry e : history.entries) {
                if (e.resolution == Resolution.REJECTED || e.sent >= answeredNanos || !e.present) {
                    continue;
                }
                boolean inWindow = switch (e.resolution) {
                    case PENDING, UNCERTAIN -> true;
                    case ACKNOWLEDGED -> e.acknowledged > sentNanos;
                    case REJECTED -> false;
                };
                if (inWindow) {
                    return true;
                }
            }
            return false;
        } finally {
            history.lock.unlock();
        }
    }

    /** The chunk's intents for messages: {@code initially present; delete ok at 1.204s; download sent at 1.300s}. */
    String describe(ChunkId chunk) {
        History history = histories.get(chunk);
        if (history == null) {
            return "never named by the driver";
        }
        history.lock.lock();
        try {
            StringJoiner joiner = new StringJoiner("; ");
            if (history.forgottenUntil != Long.MIN_VALUE) {
                joiner.add("older intents compacted");
            }
            for (Entry e : history.entries) {
                if (e.initial) {
                    joiner.add("initially " + (e.present ? "present" : "absent"));
                    continue;
                }
                String what = (e.present ? "download" : "delete") + " sent at " + seconds(e.sent);
                joiner.add(switch (e.resolution) {
                    case PENDING -> what + ", unanswered";
                    case ACKNOWLEDGED -> what + ", ok at " + seconds(e.acknowledged);
                    case REJECTED -> what + ", refused";
                    case UNCERTAIN -> what + ", outcome unknown";
                });
            }
            return joiner.toString();
        } finally {
            history.lock.unlock();
        }
    }

    private String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3fs", (nanos - originNanos) / 1e9);
    }

    private void resolve(Intent intent, Resolution resolution, long nanos) {
        History history = intent.history;
        history.lock.lock();
        try {
            if (intent.entry.resolution != Resolution.PENDING) {
                throw new IllegalStateException("intent on " + intent.chunk + " already resolved as "
                        + intent.entry.resolution);
            }
            intent.entry.resolution = resolution;
            intent.entry.acknowledged = nanos;
        } finally {
            history.lock.unlock();
        }
    }

    private History history(ChunkId chunk) {
        return histories.computeIfAbsent(chunk, id -> new History());
    }

    private static final class Entry {
        final boolean present;
        final long sent;
        final boolean initial;
        // Guarded by the history's lock.
        Resolution resolution = Resolution.PENDING;
        long acknowledged = Long.MAX_VALUE;

        Entry(boolean present, long sent, boolean initial) {
            this.present = present;
            this.sent = sent;
            this.initial = initial;
        }
    }

    private static final class History {
        final ReentrantLock lock = new ReentrantLock();
        // Guarded by lock, in the order the intents were sent (which is the order they were applied).
        final List<Entry> entries = new ArrayList<>();
        long forgottenUntil = Long.MIN_VALUE;

        Desired desired() {
            lock.lock();
            try {
                int last = -1;
                for (int i = 0; i < entries.size(); i++) {
                    if (entries.get(i).resolution == Resolution.ACKNOWLEDGED) {
                        last = i;
                    }
                }
                boolean present = last >= 0 && entries.get(last).present;
                for (int i = last + 1; i < entries.size(); i++) {
                    Entry e = entries.get(i);
                    boolean open = e.resolution == Resolution.PENDING || e.resolution == Resolution.UNCERTAIN;
                    if (open && e.present != present) {
                        return Desired.UNKNOWN;
                    }
                }
                return present ? Desired.PRESENT : Desired.ABSENT;
            } finally {
                lock.unlock();
            }
        }

        /**
         * Drops what no find can need any more: refused intents, and acknowledged ones older than {@code before}
         * but for the newest of those. Open intents stay.
         */
        void compact(long before) {
            int keep = -1;
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (e.resolution == Resolution.ACKNOWLEDGED && e.acknowledged <= before) {
                    keep = i;
                }
            }
            List<Entry> kept = new ArrayList<>(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                boolean drop = e.resolution == Resolution.REJECTED
                        || i < keep && e.resolution == Resolution.ACKNOWLEDGED;
                if (!drop) {
                    kept.add(e);
                } else if (e.resolution == Resolution.ACKNOWLEDGED) {
                    // INVARIANT: for a find sent at or after this, the last intent acknowledged by then is kept.
                    forgottenUntil = Math.max(forgottenUntil, entries.get(keep).acknowledged);
                }
            }
            if (kept.size() != entries.size()) {
                entries.clear();
                entries.addAll(kept);
            }
        }
    }
}
