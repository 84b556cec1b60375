package dev.worker.reliability.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Broken invariants found by a suite, by kind. Every one is counted; the first few messages of each kind are kept
 * so a report stays readable when one bug trips thousands of checks. Thread-safe.
 */
public final class Violations {
    private static final int KEEP_PER_KIND = 5;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Integer> counts = new TreeMap<>();
    private final Map<String, List<String>> samples = new TreeMap<>();

    /** Records one violation of {@code kind} (a short snake_case name), with what happened. */
    public void add(String kind, String message) {
        lock.lock();
        try {
            counts.merge(kind, 1, Integer::sum);
            List<String> kept = samples.computeIfAbsent(kind, k -> new ArrayList<>());
            if (kept.size() < KEEP_PER_KIND) {
                kept.add(message);
            }
        } finally {
            lock.unlock();
        }
    }

    public int total() {
        lock.lock();
        try {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        } finally {
            lock.unlock();
        }
    }

    public Map<String, Integer> counts() {
        lock.lock();
        try {
            return new TreeMap<>(counts);
        } finally {
            lock.unlock();
        }
    }

    /** One line per message kept, {@code kind: message}. */
    public List<String> messages() {
        lock.lock();
        try {
            List<String> out = new ArrayList<>();
            samples.forEach((kind, list) -> list.forEach(m -> out.add(kind + ": " + m)));
            return out;
        } finally {
            lock.unlock();
        }
    }

    public void print(PrintStream out) {
        Map<String, Integer> c = counts();
        if (c.isEmpty()) {
            out.println("violations: 0");
            return;
        }
        out.println("violations: " + total() + " " + c);
        messages().forEach(m -> out.println("  - " + m));
    }
}
