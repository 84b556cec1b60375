package dev.worker.core.download;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One HTTP exchange seen as a queue of events (headers, body buffers, end, failure) that the file's transfer thread
 * takes with a timeout. The client's threads only enqueue, so a slow disk or the bandwidth cap never blocks them;
 * the transfer thread asks for more body only as it consumes, so at most {@link #PREFETCH} buffer lists wait here.
 * {@link #abort()} cancels the exchange from any thread: the client closes the connection (HTTP/1.1) or resets the
 * stream (HTTP/2).
 */
final class ResponseStream implements HttpResponse.BodyHandler<Void>, HttpResponse.BodySubscriber<Void> {
    static final int PREFETCH = 32;

    sealed interface Event {
    }

    record Headers(HttpResponse.ResponseInfo info) implements Event {
    }

    record Data(List<ByteBuffer> buffers) implements Event {
    }

    record End() implements Event {
    }

    record Failure(Throwable error) implements Event {
    }

    private static final End END = new End();

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> body = new CompletableFuture<>();
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    private volatile CompletableFuture<HttpResponse<Void>> exchange;
    private volatile boolean aborted;

    /** Sends {@code request}; events start arriving on the client's threads. */
    void start(HttpClient client, HttpRequest request) {
        CompletableFuture<HttpResponse<Void>> future = client.sendAsync(request, this);
        exchange = future;
        future.whenComplete((response, error) -> {
            if (error != null) {
                events.add(new Failure(unwrap(error)));
            }
        });
        // INVARIANT: abort() sets the flag before it reads exchange, and this reads the flag after setting exchange,
        // so an abort racing with start cancels the exchange in at least one of the two places.
        if (aborted) {
            future.cancel(true);
        }
    }

    /** The next event, or {@code null} when none arrived within {@code timeout}. */
    Event poll(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Every event already queued, without waiting. */
    void drainTo(List<Event> sink, int max) {
        events.drainTo(sink, max);
    }

    /** Asks for {@code n} more buffer lists. */
    void request(long n) {
        Flow.Subscription s = subscription.get();
        if (s != null && n > 0) {
            s.request(n);
        }
    }

    /** Stops the exchange (idempotent, from any thread): later events are of no interest. */
    void abort() {
        aborted = true;
        Flow.Subscription s = subscription.get();
        if (s != null) {
            s.cancel();
        }
        CompletableFuture<HttpResponse<Void>> future = exchange;
        if (future != null) {
            future.cancel(true);
        }
    }

    @Override
    public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
        events.add(new Headers(info));
        return this;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (!subscription.compareAndSet(null, s)) {
            s.cancel();
            return;
        }
        if (aborted) {
            s.cancel();
        } else {
            s.request(PREFETCH);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        events.add(new Data(buffers));
    }

    @Override
    public void onError(Throwable error) {
        events.add(new Failure(error));
        body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        events.add(END);
        body.complete(null);
    }

    @Override
    public CompletionStage<Void> getBody() {
        return body;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
