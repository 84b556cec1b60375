package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a run found, collected from every worker: violations, unexpected answers (errors) and notes. Counts are
 * exact; the messages kept are the first {@value #KEPT} of each list, so a badly broken daemon cannot exhaust memory.
 */
final class Findings {
    static final int KEPT = 100;

    private final Bounded<Violation> violations = new Bounded<>();
    private final Bounded<String> errors = new Bounded<>();
    private final Bounded<String> notes = new Bounded<>();

    void violation(String check, String message) {
        violations.add(new Violation(check, message));
    }

    void error(String message) {
        errors.add(requireNonNull(message, "message"));
    }

    void note(String message) {
        notes.add(requireNonNull(message, "message"));
    }

    long violationCount() {
        return violations.count();
    }

    List<Violation> violations() {
        return violations.list();
    }

    long errorCount() {
        return errors.count();
    }

    List<String> errors() {
        return errors.list();
    }

    List<String> notes() {
        return notes.list();
    }

    private static final class Bounded<T> {
        private final ConcurrentLinkedQueue<T> kept = new ConcurrentLinkedQueue<>();
        private final AtomicLong count = new AtomicLong();

        void add(T item) {
            if (count.getAndIncrement() < KEPT) {
                kept.add(item);
            }
        }

        long count() {
            return count.get();
        }

        List<T> list() {
            return List.copyOf(new ArrayList<>(kept));
        }
    }
}
