package dev.worker.daemon.cli;

import dev.worker.core.source.SourceHeaders;
import dev.worker.core.source.SourcePolicy;
import dev.worker.core.source.Sources;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * How sources are reached: S3 endpoint, region and profile (besides the AWS_* variables and ~/.aws files), the
 * per-host headers file and the source policy's allow and deny lists. No option carries a secret: keys come from
 * the environment or the AWS files, header values from their file.
 */
final class SourceOptions {
    @Mixin
    S3Options s3;

    @Option(names = "--source-headers", paramLabel = "FILE",
            description = "JSON file of host (or .suffix) to headers added to its requests, e.g. "
                    + "{\"cdn.example.com\": {\"X-Token\": \"...\"}}; read again when it changes.")
    Path sourceHeaders;

    @Option(names = "--source-allow", paramLabel = "LIST", split = ",",
            description = "Only these sources: CIDR blocks, addresses, host names or .suffixes (comma-separated).")
    List<String> sourceAllow = List.of();

    @Option(names = "--source-deny", paramLabel = "LIST", split = ",",
            description = "Never these sources: CIDR blocks, addresses, host names or .suffixes (comma-separated). "
                    + "Link-local addresses are always refused.")
    List<String> sourceDeny = List.of();

    /**
     * The sources these options and the environment describe.
     *
     * @throws CommandLine.ParameterException (exit 2) for a bad list entry, an unreadable headers file or AWS
     *         profile, or an invalid endpoint or region
     */
    Sources sources(CommandSpec spec) {
        try {
            SourcePolicy policy = SourcePolicy.of(orEmpty(sourceAllow), orEmpty(sourceDeny));
            Optional<SourceHeaders> headers = Optional.ofNullable(sourceHeaders).map(SourceHeaders::load);
            return new Sources(policy, headers, Optional.of(s3.settings(spec)), Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static List<String> orEmpty(List<String> values) {
        return values == null ? List.of() : values;
    }
}
