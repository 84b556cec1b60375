package dev.worker.daemon;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT start a graceful shutdown instead of the JVM's default (run shutdown hooks, exit 143/130), so
 * the process can finish its work and exit 0. A second signal during the shutdown stops the process at once.
 *
 * <p>The JDK's only way to handle a signal is {@code sun.misc.Signal} (module jdk.unsupported, exported to every
 * module). It is reached by reflection: a direct reference draws a "proprietary API" warning that no annotation
 * can silence, and the build compiles without warnings.
 */
final class ShutdownSignals {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);

    private ShutdownSignals() {
    }

    static void install(Runnable onFirst) {
        AtomicInteger received = new AtomicInteger();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                handle(name, () -> {
                    if (received.incrementAndGet() == 1) {
                        log.info("received SIG{}: shutting down gracefully (send it again to stop at once)", name);
                        // Off the signal thread: the shutdown takes a while.
                        Thread.ofPlatform().name("shutdown").start(onFirst);
                    } else {
                        log.warn("received SIG{} again: stopping now", name);
                        Runtime.getRuntime().halt(1);
                    }
                });
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.warn("cannot handle SIG{}; it will stop the process without a graceful shutdown", name, e);
            }
        }
    }

    private static void handle(String name, Runnable action) throws ReflectiveOperationException {
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        Object handler = Proxy.newProxyInstance(ShutdownSignals.class.getClassLoader(), new Class<?>[] {handlerClass},
                (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        action.run();
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "ShutdownSignals.handler[SIG" + name + "]";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
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
