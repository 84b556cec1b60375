package dev.worker.core.launch;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT start a graceful stop instead of the JVM's default (run the shutdown hooks, exit 143 or 130), so
 * a process can finish its work and exit 0. A second signal during the stop ends the process at once (exit 1).
 *
 * <p>The JDK's only way to handle a signal is {@code sun.misc.Signal} (module jdk.unsupported, exported to every
 * module). It is reached by reflection: a direct reference draws a "proprietary API" warning that no annotation can
 * silence, and the build fails on warnings. Where it is missing, or the signal is reserved (e.g. SIGINT ignored in a
 * background job), the signal keeps its default effect and only the shutdown hooks run.
 */
public final class StopSignals {
    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);
    private static final List<String> SIGNALS = List.of("TERM", "INT");

    private StopSignals() {
    }

    /**
     * Takes over SIGTERM and SIGINT: the first one runs {@code onFirst} on a new platform thread (off the signal
     * thread, as a stop takes a while); the next one halts the process.
     */
    public static void install(Runnable onFirst) {
        requireNonNull(onFirst, "onFirst");
        AtomicInteger received = new AtomicInteger();
        for (String name : SIGNALS) {
            try {
                handle(name, () -> {
                    if (received.incrementAndGet() == 1) {
                        log.info("received SIG{}: stopping gracefully (send it again to stop at once)", name);
                        Thread.ofPlatform().name("stop").start(onFirst);
                    } else {
                        log.warn("received SIG{} again: stopping now", name);
                        Runtime.getRuntime().halt(1);
                    }
                });
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                log.warn("cannot handle SIG{}; it will stop the process without a graceful shutdown", name, e);
            }
        }
    }

    private static void handle(String name, Runnable action) throws ReflectiveOperationException {
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        InvocationHandler invocation = (proxy, method, args) -> switch (method.getName()) {
            case "handle" -> {
                action.run();
                yield null;
            }
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "StopSignals.handler[SIG" + name + "]";
            default -> throw new UnsupportedOperationException(method.getName());
        };
        Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerClass},
                invocation);
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        Method install = signalClass.getMethod("handle", signalClass, handlerClass);
        try {
            install.invoke(null, signal, handler);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
