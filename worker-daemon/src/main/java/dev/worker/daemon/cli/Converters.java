package dev.worker.daemon.cli;

import dev.worker.core.launch.ByteSizes;
import dev.worker.core.launch.Durations;
import dev.worker.daemon.ListenAddress;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine;

/** picocli converters for sizes, durations and listen addresses; a bad value is a usage error (exit 2). */
final class Converters {
    private Converters() {
    }

    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Converters.convert(value, ByteSizes::parse);
        }
    }

    static final class Time implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Converters.convert(value, Durations::parse);
        }
    }

    static final class Listen implements CommandLine.ITypeConverter<ListenAddress> {
        @Override
        public ListenAddress convert(String value) {
            return Converters.convert(value, ListenAddress::parse);
        }
    }

    /** The parser's answer; its message (saying what is accepted) becomes picocli's usage error. */
    private static <T> T convert(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
