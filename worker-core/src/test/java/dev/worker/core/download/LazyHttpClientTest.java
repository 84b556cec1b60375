package dev.worker.core.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class LazyHttpClientTest {
    private static HttpClient shared;

    @BeforeAll
    static void buildOne() {
        shared = HttpClient.newHttpClient();
    }

    @AfterAll
    static void closeIt() {
        shared.shutdownNow();
    }

    @Test
    void nothingIsBuiltUntilAskedAndCloseThenHasNothingToShutDown() {
        AtomicInteger builds = new AtomicInteger();
        LazyHttpClient lazy = new LazyHttpClient(() -> {
            builds.incrementAndGet();
            return shared;
        });

        assertThat(lazy.close()).isEmpty();
        assertThat(builds).hasValue(0);
    }

    @Test
    void theClientIsBuiltOnceAndCloseReturnsItThenRefusesMore() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        LazyHttpClient lazy = new LazyHttpClient(() -> {
            builds.incrementAndGet();
            return shared;
        });

        assertThat(lazy.get()).isSameAs(shared);
        assertThat(lazy.get()).isSameAs(shared);
        assertThat(builds).hasValue(1);
        assertThat(lazy.close()).containsSame(shared);
        assertThatThrownBy(lazy::get).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void aFailedBuildIsReportedToEveryCallerAndLeavesNothingToClose() {
        LazyHttpClient lazy = new LazyHttpClient(() -> {
            throw new IllegalStateException("no selector");
        });

        assertThatThrownBy(lazy::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("no selector");
        assertThatThrownBy(lazy::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("no selector");
        assertThat(lazy.close()).isEmpty();
    }

    /** Whatever the interleaving of a first get and close, a client that get handed out is one close returns. */
    @Test
    void closeRacingTheFirstGetNeverLeavesAClientBehind() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            AtomicInteger builds = new AtomicInteger();
            LazyHttpClient lazy = new LazyHttpClient(() -> {
                builds.incrementAndGet();
                return shared;
            });
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<HttpClient> got = new AtomicReference<>();
            Thread getter = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    got.set(lazy.get());
                } catch (IOException closed) {
                    // lost the race: fine, as long as nothing was built for it behind close's back
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            go.countDown();
            Optional<HttpClient> closed = lazy.close();
            getter.join();

            if (got.get() != null || builds.get() > 0) {
                assertThat(closed).as("round %d: built %d, got %s", round, builds.get(), got.get())
                        .containsSame(shared);
            }
            assertThat(builds.get()).isLessThanOrEqualTo(1);
        }
    }
}
