package dev.worker.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The release the build just made ({@code target/release}, named by the system property the POM sets). */
final class Release {
    private Release() {
    }

    static Path dir() {
        String dir = System.getProperty("worker.release.dir");
        if (dir == null) {
            throw new IllegalStateException("system property worker.release.dir is not set: run the tests with "
                    + "./mvnw verify, which builds the release first");
        }
        return Path.of(dir);
    }

    static String version() {
        return System.getProperty("worker.expectedVersion");
    }

    static Path archive() throws IOException {
        return one("*-linux-x64.tar.gz");
    }

    static Path debianPackage() throws IOException {
        return one("worker_*_amd64.deb");
    }

    /** Unpacks the archive into {@code into}; returns its top directory ({@code worker-<version>}). */
    static Path unpack(Path into) throws IOException, InterruptedException {
        Commands.check(List.of("tar", "-xzf", archive().toString(), "-C", into.toString()));
        return into.resolve("worker-" + version());
    }

    private static Path one(String glob) throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            List<Path> found = files.filter(p -> p.getFileSystem().getPathMatcher("glob:" + glob)
                    .matches(p.getFileName())).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("expected one " + glob + " in " + dir() + ", found " + found);
            }
            return found.getFirst();
        }
    }
}
