package dev.worker.mock;

/** Entry point of the {@code worker-mock} executable. */
public final class MockMain {
    private MockMain() {
    }

    public static void main(String[] args) {
        System.err.println("worker-mock: not built yet");
        System.exit(1);
    }
}
