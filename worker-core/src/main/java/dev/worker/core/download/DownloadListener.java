package dev.worker.core.download;

/** Counters the downloader reports to (the manager's stats). Called from transfer threads; must be cheap. */
public interface DownloadListener {
    DownloadListener NONE = new DownloadListener() {
    };

    /** Bytes received from storage (retried bytes included). */
    default void bytesReceived(long bytes) {
    }

    /** A file transfer finished: {@code ok}, {@code failed} (permanently) or {@code cancelled}. */
    default void fileFinished(String outcome) {
    }

    /** A transient error is about to be retried; {@code reason} is one of {@link RetryReason}'s codes. */
    default void retried(String reason) {
    }
}
