package dev.worker.core.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A bearer token kept in a file ({@code --token-file}): the file's content without surrounding whitespace. */
public final class TokenFile {
    private TokenFile() {
    }

    /**
     * @throws IOException              naming the file when it cannot be read
     * @throws IllegalArgumentException naming the file when it holds nothing but whitespace
     */
    public static String read(Path file) throws IOException {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IOException("cannot read token file " + file.toAbsolutePath() + ": " + e, e);
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException("token file " + file.toAbsolutePath() + " is empty");
        }
        return token;
    }
}
