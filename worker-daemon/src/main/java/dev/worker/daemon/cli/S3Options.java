package dev.worker.daemon.cli;

import dev.worker.core.source.S3Settings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Where s3:// objects are: endpoint, region and profile, besides the AWS_* variables and the ~/.aws files. */
final class S3Options {
    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "S3-compatible store (R2, MinIO, Ceph RGW...), e.g. http://127.0.0.1:9000; objects are then "
                    + "addressed path-style. Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's "
                    + "endpoint_url, else AWS.")
    String endpoint;

    @Option(names = "--s3-region", paramLabel = "REGION",
            description = "Signing region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region).")
    String region;

    @Option(names = "--s3-profile", paramLabel = "NAME",
            description = "Profile of ~/.aws/credentials and ~/.aws/config (default: AWS_PROFILE, else default). "
                    + "Named here, it wins over AWS_ACCESS_KEY_ID.")
    String profile;

    /**
     * The settings these options and the environment describe ({@code HOME} locates {@code ~/.aws}).
     *
     * @throws IllegalArgumentException for a named profile that is absent or unreadable, a bad endpoint or region
     */
    S3Settings settings(CommandSpec spec) {
        Map<String, String> env = WorkerCommand.env(spec);
        Path home = Path.of(Optional.ofNullable(env.get("HOME")).filter(h -> !h.isBlank())
                .orElse(System.getProperty("user.home")));
        return S3Settings.resolve(new S3Settings.Options(Optional.ofNullable(endpoint), Optional.ofNullable(region),
                Optional.ofNullable(profile)), env, home);
    }
}
