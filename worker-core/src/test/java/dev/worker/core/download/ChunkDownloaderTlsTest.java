package dev.worker.core.download;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.worker.core.download.Fixtures.chunk;
import static dev.worker.core.download.Fixtures.declared;
import static dev.worker.core.download.Fixtures.randomBytes;
import static dev.worker.core.download.Fixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileDigest;
import dev.worker.testkit.Await;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads over TLS, against WireMock serving HTTPS (HTTP/2 by ALPN) with a certificate made for the test. The
 * downloader's client trusts what the JVM's default TLS context trusts (an operator adds a private CA with
 * {@code -Djavax.net.ssl.trustStore}); the tests set that default and put the JVM's own back afterwards.
 */
@Timeout(30)
final class ChunkDownloaderTlsTest {
    private static final byte[] CONTENT = randomBytes(3 * 1024 * 1024 + 17, 7);
    private static final String PASSWORD = "changeit";

    @TempDir
    static Path keys;
    private static WireMockServer wiremock;
    private static SSLContext jvmDefault;
    private static SSLContext trustingTheServer;

    @TempDir
    Path tmp;
    private final Fixtures.RecordingListener listener = new Fixtures.RecordingListener();
    private final DownloadProgress progress = new DownloadProgress();
    private ChunkDownloader downloader;

    @BeforeAll
    static void startHttpsServer() throws Exception {
        Path keystore = keys.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD)
                .redirectErrorStream(true)
                .start();
        String keytoolOutput = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as("keytool: %s", keytoolOutput).isZero();

        wiremock = new WireMockServer(WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .httpDisabled(true)
                .dynamicHttpsPort()
                .keystoreType("PKCS12")
                .keystorePath(keystore.toString())
                .keystorePassword(PASSWORD)
                .keyManagerPassword(PASSWORD));
        wiremock.start();

        KeyStore serverKeys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            serverKeys.load(in, PASSWORD.toCharArray());
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("server", serverKeys.getCertificate("server"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        trustingTheServer = SSLContext.getInstance("TLS");
        trustingTheServer.init(null, trust.getTrustManagers(), null);
        jvmDefault = SSLContext.getDefault();
    }

    @AfterAll
    static void stopHttpsServer() {
        SSLContext.setDefault(jvmDefault);
        wiremock.stop();
    }

    @AfterEach
    void tearDown() {
        if (downloader != null) {
            downloader.close();
        }
        SSLContext.setDefault(jvmDefault);
    }

    @Test
    void anHttpsSourceIsFetchedOverHttp2AndVerified() throws Exception {
        wiremock.stubFor(get("/f").willReturn(aResponse().withStatus(200).withBody(CONTENT)));
        SSLContext.setDefault(trustingTheServer);
        downloader = new ChunkDownloader(Fixtures.settings(), listener, Clock.systemUTC());

        DownloadOutcome outcome = downloader.download(descriptor(), tmp.resolve("d"), progress, new Cancellation(),
                DiskSpace.UNLIMITED);

        assertThat(outcome).isEqualTo(new DownloadOutcome.Completed(
                Map.of("f", new FileDigest(CONTENT.length, sha256(CONTENT)))));
        assertThat(Files.readAllBytes(tmp.resolve("d").resolve("f"))).isEqualTo(CONTENT);
        List<LoggedRequest> requests = wiremock.findAll(getRequestedFor(urlEqualTo("/f")));
        assertThat(requests).hasSize(1);
        assertThat(requests.getFirst().getProtocol()).as("protocol of the request").startsWith("HTTP/2");
        assertThat(listener.retries).isEmpty();
    }

    @Test
    void anUntrustedCertificateIsRetriedWithTheTlsErrorInTheStatus() throws Exception {
        wiremock.stubFor(get("/f").willReturn(aResponse().withStatus(200).withBody(CONTENT)));
        // The JVM's default trust (the public CAs) does not know the test's certificate.
        downloader = new ChunkDownloader(Fixtures.settings(), listener, Clock.systemUTC());
        Cancellation cancel = new Cancellation();
        CompletableFuture<DownloadOutcome> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(downloader.download(descriptor(), tmp.resolve("d"), progress, cancel,
                        DiskSpace.UNLIMITED));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });

        Await.poll(() -> listener.retries.size() >= 2, Duration.ofSeconds(10));
        cancel.cancel();

        assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo(new DownloadOutcome.Cancelled());
        assertThat(listener.retries).as("retries before the cancel").hasSizeGreaterThanOrEqualTo(2)
                .allMatch(RetryReason.CONNECTION.code()::equals);
        assertThat(progress.lastError()).hasValueSatisfying(error -> assertThat(error)
                .contains(url()).containsIgnoringCase("certificat"));
        assertThat(wiremock.getAllServeEvents()).as("requests that reached the server").isEmpty();
    }

    private static String url() {
        return wiremock.baseUrl() + "/f";
    }

    private static ChunkDescriptor descriptor() {
        return chunk(Map.of("f", declared(url(), CONTENT)));
    }
}
