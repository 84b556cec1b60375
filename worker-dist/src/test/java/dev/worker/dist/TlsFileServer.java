package dev.worker.dist;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS server on 127.0.0.1 serving one file, with an elliptic-curve certificate made by keytool for this test
 * only. {@link #trustStore()} holds that certificate, for the client's JVM ({@code javax.net.ssl.trustStore}).
 */
final class TlsFileServer implements AutoCloseable {
    static final String PASSWORD = "changeit";

    private final HttpsServer server;
    private final Path trustStore;

    private TlsFileServer(HttpsServer server, Path trustStore) {
        this.server = server;
        this.trustStore = trustStore;
    }

    static TlsFileServer start(Path dir, String path, byte[] content)
            throws IOException, InterruptedException, GeneralSecurityException {
        Path keyStore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.pem");
        Path trust = dir.resolve("trust.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Commands.check(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore",
                keyStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
        Commands.check(List.of(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-file", cert.toString()));
        Commands.check(List.of(keytool, "-importcert", "-noprompt", "-alias", "server", "-file", cert.toString(),
                "-keystore", trust.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(path, exchange -> {
            try (exchange; OutputStream out = exchange.getResponseBody()) {
                exchange.sendResponseHeaders(200, content.length);
                out.write(content);
            }
        });
        server.start();
        return new TlsFileServer(server, trust);
    }

    String url(String path) {
        return "https://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    Path trustStore() {
        return trustStore;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
