package dev.worker.daemon.api;

/** Counts requests in progress across connections, so that a shutdown can wait for them to be answered. */
public interface ConnectionTracker {
    ConnectionTracker NONE = new ConnectionTracker() {
        @Override
        public void requestStarted() {
        }

        @Override
        public void requestFinished() {
        }
    };

    void requestStarted();

    void requestFinished();
}
