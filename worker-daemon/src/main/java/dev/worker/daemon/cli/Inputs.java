package dev.worker.daemon.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a command's {@code FILE|-} argument. */
final class Inputs {
    private Inputs() {
    }

    static byte[] read(String fileOrDash, InputStream stdin) throws CliException {
        try {
            if (fileOrDash.equals("-")) {
                return stdin.readAllBytes();
            }
            return Files.readAllBytes(Path.of(fileOrDash));
        } catch (NoSuchFileException e) {
            throw new CliException("no such file: " + fileOrDash, e);
        } catch (IOException e) {
            throw new CliException("cannot read " + fileOrDash + ": " + e, e);
        }
    }
}
