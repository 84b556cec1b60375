package dev.worker.core;

/**
 * What an assignment changed.
 *
 * @param download chunks in the set that were not desired before
 * @param delete   chunks desired before and not in the set
 * @param keep     chunks in the set that were already desired
 */
public record AssignmentResult(int download, int delete, int keep) {
    public AssignmentResult {
        if (download < 0 || delete < 0 || keep < 0) {
            throw new IllegalArgumentException("counts must be >= 0: " + download + "/" + delete + "/" + keep);
        }
    }
}
