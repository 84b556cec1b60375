package dev.worker.bench;

import dev.worker.core.source.S3Credentials;
import dev.worker.core.source.S3Signer;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU one SigV4 signature costs the download engine: signs the same kind of request it sends (a GET of an
 * object, with {@code Range} and {@code If-Range}, as a resume) {@code --count} times after as many for warm-up, on
 * one thread, and prints the mean in microseconds. Usage: {@code SignerCost [--count N]}.
 */
public final class SignerCost {
    private SignerCost() {
    }

    public static void main(String[] args) {
        int count = args.length == 2 && args[0].equals("--count") ? Integer.parseInt(args[1]) : 20_000;
        S3Signer signer = new S3Signer(Clock.systemUTC());
        S3Credentials credentials = new S3Credentials("AKIDBENCH00000000001", "bench-secret-not-a-real-one",
                Optional.empty());
        List<Map.Entry<String, String>> own = List.of(Map.entry("Range", "bytes=1048576-"),
                Map.entry("If-Range", "\"0123456789abcdef0123456789abcdef\""));
        long sink = 0;
        for (int round = 0; round < 2; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                URI uri = URI.create("http://127.0.0.1:9000/bench/0000000000-0000000999-bench/f" + (i & 63) + ".bin");
                sink += signer.sign("GET", uri, own, credentials, "us-east-1").size();
            }
            long elapsed = System.nanoTime() - start;
            if (round == 1) {
                System.out.printf("%.1f%n", elapsed / 1e3 / count);
            }
        }
        if (sink == 0) {
            throw new IllegalStateException("no headers signed");
        }
    }
}
