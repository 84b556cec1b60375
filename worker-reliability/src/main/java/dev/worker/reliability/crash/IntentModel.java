package dev.worker.reliability.crash;

import dev.worker.core.ChunkId;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the daemon owes the clients after a crash: per chunk, the last intent it acknowledged (2xx) decides; an
 * intent that was sent but not acknowledged (no answer, a 503) may have taken effect or not. The churn never has two
 * intents for one chunk in flight at once, so "last acknowledged" is well defined. Thread-safe.
 */
final class IntentModel {
    enum Want {
        PRESENT, ABSENT
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final List<ChunkId> universe;
    /** The last acknowledged intent per chunk; absent from the map means never wanted. */
    private final Map<ChunkId, Want> acked = new HashMap<>();
    /** Outcomes of unacknowledged intents that may have taken effect. */
    private final Map<ChunkId, EnumSet<Want>> maybe = new HashMap<>();
    private final Map<ChunkId, Want> inFlight = new HashMap<>();
    private int ackedCount;
    private int unansweredCount;

    IntentModel(List<ChunkId> universe) {
        this.universe = List.copyOf(universe);
    }

    List<ChunkId> universe() {
        return universe;
    }

    void sent(ChunkId id, Want want) {
        lock.lock();
        try {
            if (inFlight.put(id, want) != null) {
                throw new IllegalStateException("two intents in flight for chunk " + id);
            }
        } finally {
            lock.unlock();
        }
    }

    void sentAssignment(Set<ChunkId> wanted) {
        lock.lock();
        try {
            for (ChunkId id : universe) {
                sent(id, wanted.contains(id) ? Want.PRESENT : Want.ABSENT);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The answer to an intent: 2xx acknowledges it; 4xx rejected it (nothing changed); no answer or a 5xx leaves it
     * undecided.
     */
    void answered(ChunkId id, int status) {
        lock.lock();
        try {
            Want want = inFlight.remove(id);
            if (want == null) {
                throw new IllegalStateException("no intent in flight for chunk " + id);
            }
            if (status >= 200 && status < 300) {
                acked.put(id, want);
                maybe.remove(id);
                ackedCount++;
            } else if (status < 400 || status >= 500) {
                maybe.computeIfAbsent(id, k -> EnumSet.noneOf(Want.class)).add(want);
                unansweredCount++;
            }
        } finally {
            lock.unlock();
        }
    }

    void answeredAssignment(int status) {
        lock.lock();
        try {
            for (ChunkId id : universe) {
                answered(id, status);
            }
            // One request, counted once.
            if (status >= 200 && status < 300) {
                ackedCount -= universe.size() - 1;
            } else if (status < 400 || status >= 500) {
                unansweredCount -= universe.size() - 1;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The outcomes allowed for a chunk now. */
    Set<Want> allowed(ChunkId id) {
        lock.lock();
        try {
            EnumSet<Want> out = EnumSet.of(acked.getOrDefault(id, Want.ABSENT));
            EnumSet<Want> m = maybe.get(id);
            if (m != null) {
                out.addAll(m);
            }
            Want flying = inFlight.get(id);
            if (flying != null) {
                out.add(flying);
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    Want acked(ChunkId id) {
        lock.lock();
        try {
            return acked.getOrDefault(id, Want.ABSENT);
        } finally {
            lock.unlock();
        }
    }

    int inFlight() {
        lock.lock();
        try {
            return inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    /** After convergence: what the daemon settled on is now the truth for the undecided chunks. */
    void settle(Map<ChunkId, Want> actual) {
        lock.lock();
        try {
            if (!inFlight.isEmpty()) {
                throw new IllegalStateException("settling with intents in flight: " + inFlight.keySet());
            }
            for (ChunkId id : universe) {
                acked.put(id, actual.getOrDefault(id, Want.ABSENT));
            }
            maybe.clear();
        } finally {
            lock.unlock();
        }
    }

    Collection<ChunkId> present() {
        lock.lock();
        try {
            return universe.stream().filter(id -> acked.getOrDefault(id, Want.ABSENT) == Want.PRESENT).toList();
        } finally {
            lock.unlock();
        }
    }

    Collection<ChunkId> absent() {
        lock.lock();
        try {
            return universe.stream().filter(id -> acked.getOrDefault(id, Want.ABSENT) == Want.ABSENT).toList();
        } finally {
            lock.unlock();
        }
    }

    int ackedCount() {
        lock.lock();
        try {
            return ackedCount;
        } finally {
            lock.unlock();
        }
    }

    int unansweredCount() {
        lock.lock();
        try {
            return unansweredCount;
        } finally {
            lock.unlock();
        }
    }
}
