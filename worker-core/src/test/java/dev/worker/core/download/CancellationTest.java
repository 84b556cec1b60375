package dev.worker.core.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class CancellationTest {
    @Test
    void cancel_runsEachRegisteredActionOnceAndIsIdempotent() {
        Cancellation cancel = new Cancellation();
        AtomicInteger runs = new AtomicInteger();
        cancel.onCancel(runs::incrementAndGet);
        cancel.onCancel(runs::incrementAndGet);

        cancel.cancel();
        cancel.cancel();

        assertThat(cancel.isCancelled()).isTrue();
        assertThat(runs.get()).isEqualTo(2);
    }

    @Test
    void onCancel_afterCancellation_runsTheActionAtOnce() {
        Cancellation cancel = new Cancellation();
        cancel.cancel();
        AtomicInteger runs = new AtomicInteger();

        cancel.onCancel(runs::incrementAndGet);

        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void closedRegistration_neverRuns() throws Exception {
        Cancellation cancel = new Cancellation();
        AtomicInteger runs = new AtomicInteger();
        cancel.onCancel(runs::incrementAndGet).close();

        cancel.cancel();

        assertThat(runs.get()).isZero();
    }

    @Test
    void throwingAction_doesNotStopTheOthers() {
        Cancellation cancel = new Cancellation();
        AtomicInteger runs = new AtomicInteger();
        cancel.onCancel(() -> {
            throw new IllegalStateException("expected by the test");
        });
        cancel.onCancel(runs::incrementAndGet);

        cancel.cancel();

        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void registrationsRacingWithCancel_eachRunExactlyOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            Cancellation cancel = new Cancellation();
            int registrars = 4;
            int perRegistrar = 50;
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < registrars; t++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    awaitQuietly(go);
                    for (int i = 0; i < perRegistrar; i++) {
                        cancel.register(runs::incrementAndGet);
                    }
                }));
            }
            threads.add(Thread.ofVirtual().start(() -> {
                awaitQuietly(go);
                cancel.cancel();
            }));
            go.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(runs.get()).as("round %d", round).isEqualTo(registrars * perRegistrar);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
