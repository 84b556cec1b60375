package dev.worker.daemon.s3;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * s3proxy (a real S3 implementation that verifies SigV4 signatures) as a child process on 127.0.0.1 and a free port,
 * storing objects as files under a directory that several instances may share (each with its own key pair: how the
 * tests rotate credentials). Objects are put through its S3 API, so they get ETags as on S3.
 */
public final class S3Proxy implements AutoCloseable {
    public static final String REGION = "us-east-1";
    private static final Pattern STARTED =
            Pattern.compile("ServerConnector@\\S+\\{HTTP/1\\.1.*\\}\\{127\\.0\\.0\\.1:(\\d+)\\}");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final String accessKey;
    private final String secret;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private S3Proxy(Process process, String accessKey, String secret) {
        this.process = process;
        this.accessKey = accessKey;
        this.secret = secret;
        Thread.ofPlatform().daemon().name("s3proxy-output").start(this::pump);
    }

    /** The jar the build copies next to the classes (see the module's POM). */
    public static Path jar() {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no s3proxy jar at " + jar + ": run the build (generate-test-resources)");
        }
        return jar;
    }

    /** Starts an instance over {@code storage} that accepts only {@code accessKey}/{@code secret}. */
    public static S3Proxy start(Path storage, String accessKey, String secret) throws IOException {
        Files.createDirectories(storage);
        Path properties = Files.createTempFile(storage.getParent(), "s3proxy", ".properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:0",
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secret,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + storage,
                "jclouds.identity=unused",
                "jclouds.credential=unused", ""));
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar().toString(),
                "--properties", properties.toString()).redirectErrorStream(true);
        S3Proxy proxy = new S3Proxy(builder.start(), accessKey, secret);
        proxy.awaitStarted();
        return proxy;
    }

    public int port() {
        return port.join();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public void createBucket(String bucket) throws IOException, InterruptedException {
        send("/" + bucket, new byte[0]);
    }

    /** PUTs an object (signed, payload hashed). */
    public void put(String bucket, String key, byte[] content) throws IOException, InterruptedException {
        send("/" + bucket + "/" + dev.worker.core.source.S3Location.encodeKey(key), content);
    }

    private void send(String path, byte[] body) throws IOException, InterruptedException {
        URI uri = URI.create(endpoint() + path);
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.PUT).uri(uri).build();
        var signed = AwsV4HttpSigner.create().sign(r -> r.identity(AwsCredentialsIdentity.create(accessKey, secret))
                .request(unsigned).payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, REGION));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        signed.request().forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("PUT " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    private void awaitStarted() {
        try {
            port.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("s3proxy did not start: " + output, e);
        }
    }

    private void pump() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (output.size() < 500) {
                    output.add(line);
                }
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            port.completeExceptionally(new IllegalStateException("s3proxy exited"));
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        client.close();
    }
}
