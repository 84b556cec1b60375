package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import picocli.CommandLine;

/**
 * The relative weights of the operation kinds, as {@code --mix download=50,delete=30,assign=5,find=10,lease=5}
 * gives them. Kinds left out of a mix weigh 0; at least one kind weighs more than 0.
 *
 * @param weights every kind, with a weight from 0 to {@value #MAX_WEIGHT}
 */
record OperationMix(Map<OpKind, Integer> weights) {
    static final int MAX_WEIGHT = 1_000_000;
    static final String DEFAULT = "download=50,delete=30,assign=5,find=10,lease=5";

    OperationMix {
        EnumMap<OpKind, Integer> all = new EnumMap<>(OpKind.class);
        int total = 0;
        for (OpKind kind : OpKind.values()) {
            int weight = requireNonNull(weights, "weights").getOrDefault(kind, 0);
            if (weight < 0 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("weight of " + kind.wireName() + " must be 0 to " + MAX_WEIGHT
                        + ", got " + weight);
            }
            all.put(kind, weight);
            total += weight;
        }
        if (total == 0) {
            throw new IllegalArgumentException("at least one operation needs a weight above 0");
        }
        weights = Collections.unmodifiableMap(all);
    }

    static OperationMix defaults() {
        return parse(DEFAULT);
    }

    /**
     * Parses {@code name=weight,...}; names are {@code download}, {@code delete}, {@code assign}, {@code find} and
     * {@code lease} (case-insensitive), weights whole numbers from 0.
     *
     * @throws IllegalArgumentException saying what is wrong and what is accepted
     */
    static OperationMix parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw invalid(text, "it is empty");
        }
        EnumMap<OpKind, Integer> weights = new EnumMap<>(OpKind.class);
        for (String part : s.split(",", -1)) {
            String item = part.strip();
            int eq = item.indexOf('=');
            if (eq < 0) {
                throw invalid(text, "'" + item + "' is not name=weight");
            }
            String name = item.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            OpKind kind = OpKind.byWireName(name).orElseThrow(() -> invalid(text, "unknown operation '"
                    + item.substring(0, eq).strip() + "'"));
            if (weights.containsKey(kind)) {
                throw invalid(text, kind.wireName() + " is given twice");
            }
            String number = item.substring(eq + 1).strip();
            int weight;
            try {
                weight = number.chars().allMatch(Character::isDigit) ? Integer.parseInt(number) : -1;
            } catch (NumberFormatException e) {
                weight = -1;
            }
            if (weight < 0 || weight > MAX_WEIGHT) {
                throw invalid(text, "the weight of " + kind.wireName() + " must be a whole number from 0 to "
                        + MAX_WEIGHT + ", got '" + number + "'");
            }
            weights.put(kind, weight);
        }
        try {
            return new OperationMix(weights);
        } catch (IllegalArgumentException e) {
            throw invalid(text, e.getMessage());
        }
    }

    int total() {
        return weights.values().stream().mapToInt(Integer::intValue).sum();
    }

    int weight(OpKind kind) {
        return weights.get(kind);
    }

    /** The kind that {@code draw}, uniform in {@code [0, total())}, falls on. */
    OpKind pick(int draw) {
        if (draw < 0 || draw >= total()) {
            throw new IllegalArgumentException("draw must be 0 to " + (total() - 1) + ", got " + draw);
        }
        int at = draw;
        for (OpKind kind : OpKind.values()) {
            int weight = weights.get(kind);
            if (at < weight) {
                return kind;
            }
            at -= weight;
        }
        throw new AssertionError("unreachable: draw " + draw + " within total " + total());
    }

    /** The canonical form, every kind listed: {@code download=50,delete=30,assign=5,find=10,lease=5}. */
    @Override
    public String toString() {
        StringJoiner joiner = new StringJoiner(",");
        weights.forEach((kind, weight) -> joiner.add(kind.wireName() + "=" + weight));
        return joiner.toString();
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("'" + text + "' is not an operation mix: " + why + "; use name=weight "
                + "pairs separated by commas, names download, delete, assign, find, lease, e.g. " + DEFAULT);
    }

    /** Converts {@code --mix} values with {@link #parse}. */
    static final class Converter implements CommandLine.ITypeConverter<OperationMix> {
        @Override
        public OperationMix convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
