package dev.worker.core;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers state changes to listeners, in order, on one thread of its own. */
final class ListenerBus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ListenerBus.class);

    private record Event(ChunkId id, ChunkState previous, ChunkState current) {
    }

    private static final Event STOP = new Event(null, null, null);

    private final CopyOnWriteArrayList<ChunkListener> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final Thread thread;

    ListenerBus() {
        thread = Thread.ofPlatform().daemon().name("chunk-listeners").start(this::run);
    }

    AutoCloseable add(ChunkListener listener) {
        requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Queues an event; never blocks. Cheap when no listener is registered. */
    void emit(ChunkId id, ChunkState previous, ChunkState current) {
        if (previous != current && !listeners.isEmpty()) {
            queue.add(new Event(id, previous, current));
        }
    }

    private void run() {
        try {
            while (true) {
                Event event = queue.take();
                if (event == STOP) {
                    return;
                }
                for (ChunkListener listener : listeners) {
                    try {
                        listener.onStateChange(event.id, event.previous, event.current);
                    } catch (RuntimeException e) {
                        log.warn("chunk listener failed chunk={} from={} to={} listener={}", event.id,
                                event.previous, event.current, listener, e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Delivers what is queued, then stops. */
    @Override
    public void close() {
        queue.add(STOP);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
