package dev.worker.daemon;

/** Entry point of the {@code worker} executable. */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) {
        System.err.println("worker: not built yet");
        System.exit(1);
    }
}
