package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * An access key pair and, for temporary credentials, a session token. {@link #toString()} shows the access key id
 * only: the secret and the token must never reach a log line, a status, a file or a metric.
 */
public record S3Credentials(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {
    public S3Credentials {
        requireNonNull(accessKeyId, "accessKeyId");
        requireNonNull(secretAccessKey, "secretAccessKey");
        requireNonNull(sessionToken, "sessionToken");
        if (accessKeyId.isBlank() || secretAccessKey.isBlank()) {
            throw new IllegalArgumentException("an access key id and a secret access key are both needed");
        }
        sessionToken = sessionToken.filter(t -> !t.isBlank());
    }

    @Override
    public String toString() {
        return "S3Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=<hidden>, sessionToken="
                + (sessionToken.isPresent() ? "<hidden>" : "none") + "]";
    }
}
