package dev.worker.mock;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGINT and SIGTERM into a latch, so a serving command stops cleanly and exits 0 (the JVM's own handling would
 * run shutdown hooks and exit 128 + the signal number). Uses {@code sun.misc.Signal} from the {@code jdk.unsupported}
 * module, reflectively, since compiling against it draws a warning that cannot be suppressed. Where it is missing,
 * the signals keep their default effect and only the shutdown hooks run.
 */
final class StopSignals {
    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);
    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private StopSignals() {
    }

    /** A latch that opens on the first SIGINT or SIGTERM; lists the signals it could not take over in the log. */
    static CountDownLatch install() {
        CountDownLatch stop = new CountDownLatch(1);
        List<String> failed = new ArrayList<>();
        for (String name : SIGNALS) {
            if (!handle(name, stop::countDown)) {
                failed.add(name);
            }
        }
        if (!failed.isEmpty()) {
            LOG.debug("signals keep their default handling signals={}", failed);
        }
        return stop;
    }

    private static boolean handle(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            InvocationHandler invocation = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    action.run();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "stop on SIG" + name;
                default -> throw new UnsupportedOperationException(method.toString());
            };
            Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    invocation);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // Missing API, or a signal the JVM or the OS reserved (e.g. SIGINT ignored in a background job).
            LOG.debug("cannot handle signal={}", name, e);
            return false;
        }
    }
}
