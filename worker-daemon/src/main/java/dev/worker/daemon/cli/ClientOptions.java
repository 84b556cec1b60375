package dev.worker.daemon.cli;

import dev.worker.core.launch.TokenFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options every client command takes: where the daemon is, its token, and raw JSON output. */
public final class ClientOptions {
    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:7070",
            description = "The daemon's admin API (env WORKER_URL; default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the bearer token (env WORKER_TOKEN_FILE).")
    Path tokenFile;

    @Option(names = "--json", description = "Print the API's JSON instead of a human summary (for scripts).")
    boolean json;

    ApiClient client() throws CliException {
        URI base;
        try {
            base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new CliException("--url '" + url + "' is not a URL: " + e.getMessage(), e);
        }
        if (base.getScheme() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https"))
                || base.getHost() == null) {
            throw new CliException("--url must be an http(s) URL like http://127.0.0.1:7070, got '" + url + "'");
        }
        return new ApiClient(base, token());
    }

    private Optional<String> token() throws CliException {
        if (tokenFile == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(TokenFile.read(tokenFile));
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
    }
}
