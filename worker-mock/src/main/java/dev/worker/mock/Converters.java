package dev.worker.mock;

import dev.worker.core.launch.ByteSizes;
import dev.worker.core.launch.Durations;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine;

/** picocli converters for sizes and durations; a bad value is a usage error (exit 2) saying what is accepted. */
public final class Converters {
    private Converters() {
    }

    /** {@link ByteSizes#parse}. */
    public static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Converters.convert(value, ByteSizes::parse);
        }
    }

    /** {@link Durations#parse}. */
    public static final class Time implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Converters.convert(value, Durations::parse);
        }
    }

    private static <T> T convert(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
