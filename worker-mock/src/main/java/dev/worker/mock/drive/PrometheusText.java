package dev.worker.mock.drive;

import java.util.OptionalDouble;

/** Reads samples from the Prometheus text format of {@code /metrics}. */
final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * The sum of every sample of metric {@code name} (all label sets), or empty when there is none.
     * {@code worker_download_retries_total} sums the retries of every reason.
     */
    static OptionalDouble sum(String text, String name) {
        double sum = 0;
        boolean seen = false;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            if (rest.startsWith("{")) {
                int close = rest.lastIndexOf('}');
                if (close < 0) {
                    continue;
                }
                rest = rest.substring(close + 1);
            } else if (!rest.startsWith(" ")) {
                continue; // another metric whose name starts with this one
            }
            String[] fields = rest.strip().split("\\s+");
            try {
                sum += Double.parseDouble(fields[0]);
                seen = true;
            } catch (NumberFormatException e) {
                // Not a sample line of this metric: skip it.
            }
        }
        return seen ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }
}
