package dev.worker.mock.drive;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Operations by kind and outcome: an immutable snapshot. {@link Counter} counts them while a run goes on.
 *
 * @param counts every kind with every outcome (0 when none)
 */
record OpCounts(Map<OpKind, Map<Outcome, Long>> counts) {
    OpCounts {
        EnumMap<OpKind, Map<Outcome, Long>> all = new EnumMap<>(OpKind.class);
        for (OpKind kind : OpKind.values()) {
            EnumMap<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
            Map<Outcome, Long> given = counts.getOrDefault(kind, Map.of());
            for (Outcome outcome : Outcome.values()) {
                outcomes.put(outcome, given.getOrDefault(outcome, 0L));
            }
            all.put(kind, Collections.unmodifiableMap(outcomes));
        }
        counts = Collections.unmodifiableMap(all);
    }

    long count(OpKind kind, Outcome outcome) {
        return counts.get(kind).get(outcome);
    }

    long total(OpKind kind) {
        return counts.get(kind).values().stream().mapToLong(Long::longValue).sum();
    }

    long total() {
        return counts.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
    }

    /** Counts operations from many threads. */
    static final class Counter {
        private final EnumMap<OpKind, EnumMap<Outcome, LongAdder>> adders = new EnumMap<>(OpKind.class);

        Counter() {
            for (OpKind kind : OpKind.values()) {
                EnumMap<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
                for (Outcome outcome : Outcome.values()) {
                    outcomes.put(outcome, new LongAdder());
                }
                adders.put(kind, outcomes);
            }
        }

        void add(OpKind kind, Outcome outcome) {
            adders.get(kind).get(outcome).increment();
        }

        OpCounts snapshot() {
            EnumMap<OpKind, Map<Outcome, Long>> counts = new EnumMap<>(OpKind.class);
            adders.forEach((kind, outcomes) -> {
                EnumMap<Outcome, Long> values = new EnumMap<>(Outcome.class);
                outcomes.forEach((outcome, adder) -> values.put(outcome, adder.sum()));
                counts.put(kind, values);
            });
            return new OpCounts(counts);
        }
    }
}
