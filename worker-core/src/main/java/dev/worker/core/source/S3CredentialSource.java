package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Where the S3 credentials come from; asked again for every signed request, so a rotated file is used at once. */
public sealed interface S3CredentialSource {
    /**
     * The credentials to sign with now.
     *
     * @throws IOException when they cannot be read (the message names the file and profile, never a secret)
     */
    S3Credentials current() throws IOException;

    /** Where they come from, for messages: never a secret. */
    String describe();

    /** From the environment ({@code AWS_ACCESS_KEY_ID}, ...), fixed for the life of the process. */
    record Fixed(S3Credentials credentials, String describe) implements S3CredentialSource {
        public Fixed {
            requireNonNull(credentials, "credentials");
            requireNonNull(describe, "describe");
        }

        @Override
        public S3Credentials current() {
            return credentials;
        }

        @Override
        public String toString() {
            return "Fixed[" + describe + "]";
        }
    }

    /**
     * A profile of the shared credentials file (keys may also sit in the config file's profile section), re-read
     * whenever either file changes.
     */
    final class Profile implements S3CredentialSource {
        private final String profile;
        private final WatchedFile<Map<String, Map<String, String>>> credentials;
        private final WatchedFile<Map<String, Map<String, String>>> config;

        Profile(String profile, Path credentialsFile, Path configFile) {
            this.profile = requireNonNull(profile, "profile");
            this.credentials = new WatchedFile<>(credentialsFile, text -> AwsProfileFile.parse(text, false));
            this.config = new WatchedFile<>(configFile, text -> AwsProfileFile.parse(text, true));
        }

        @Override
        public S3Credentials current() throws IOException {
            Map<String, String> values = section(credentials).or(() -> section(config))
                    .filter(v -> v.containsKey("aws_access_key_id"))
                    .orElseThrow(() -> new IOException("no aws_access_key_id for profile '" + profile + "' in "
                            + credentials.path() + " or " + config.path()));
            String secret = values.get("aws_secret_access_key");
            if (secret == null || secret.isBlank()) {
                throw new IOException("no aws_secret_access_key for profile '" + profile + "' in "
                        + credentials.path() + " or " + config.path());
            }
            return new S3Credentials(values.get("aws_access_key_id"), secret,
                    Optional.ofNullable(values.get("aws_session_token")));
        }

        /** The profile's section in {@code file}, if the file can be read and has it. */
        private Optional<Map<String, String>> section(WatchedFile<Map<String, Map<String, String>>> file) {
            try {
                return Optional.ofNullable(file.current().get(profile));
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        @Override
        public String describe() {
            return "profile '" + profile + "' of " + credentials.path();
        }

        @Override
        public String toString() {
            return "Profile[" + describe() + "]";
        }
    }
}
