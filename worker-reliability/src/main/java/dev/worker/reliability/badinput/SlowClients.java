package dev.worker.reliability.badinput;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Connections that hold a daemon's resources without finishing a request: half send nothing at all, half dribble
 * their headers a byte at a time and never end them. Driven from one thread.
 */
final class SlowClients implements AutoCloseable {
    private static final byte[] START = ("GET /v1/chunks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .getBytes(StandardCharsets.US_ASCII);

    private final List<Socket> idle = new ArrayList<>();
    private final List<Socket> dribblers = new ArrayList<>();
    private final List<StringBuilder> received = new ArrayList<>();
    private final boolean[] broken;

    private SlowClients(int dribblerCount) {
        this.broken = new boolean[dribblerCount];
    }

    static SlowClients open(InetSocketAddress address, int count) throws IOException {
        int dribblerCount = count / 2;
        SlowClients c = new SlowClients(dribblerCount);
        try {
            for (int i = 0; i < count - dribblerCount; i++) {
                Socket s = new Socket();
                s.connect(address, 2_000);
                c.idle.add(s);
            }
            for (int i = 0; i < dribblerCount; i++) {
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                s.connect(address, 2_000);
                s.getOutputStream().write(START);
                c.dribblers.add(s);
                c.received.add(new StringBuilder());
            }
        } catch (IOException e) {
            c.close();
            throw e;
        }
        return c;
    }

    int idle() {
        return idle.size();
    }

    int dribblers() {
        return dribblers.size();
    }

    /** One more header byte on every dribbling connection the daemon has not closed. */
    void dribble() {
        for (int i = 0; i < dribblers.size(); i++) {
            if (broken[i]) {
                continue;
            }
            try {
                dribblers.get(i).getOutputStream().write('a');
            } catch (IOException e) {
                broken[i] = true; // answered and closed
            }
        }
    }

    /** Dribbling connections that got a 408 answer. */
    int dribblersAnswered408() {
        int n = 0;
        for (int i = 0; i < dribblers.size(); i++) {
            String text = drain(dribblers.get(i), received.get(i));
            if (text.startsWith("HTTP/1.1 408")) {
                n++;
            }
        }
        return n;
    }

    /** Silent connections the daemon has not closed. */
    int idleStillOpen() {
        int n = 0;
        for (Socket s : idle) {
            try {
                s.setSoTimeout(50);
                if (s.getInputStream().read() >= 0) {
                    n++; // an answer to nothing would be odd, but the connection is open
                }
            } catch (SocketTimeoutException e) {
                n++;
            } catch (IOException e) {
                // closed (reset)
            }
        }
        return n;
    }

    private static String drain(Socket s, StringBuilder into) {
        try {
            s.setSoTimeout(100);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                into.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            // timed out or reset: what came so far is what there is
        }
        return into.toString();
    }

    @Override
    public void close() {
        for (Socket s : idle) {
            closeQuietly(s);
        }
        for (Socket s : dribblers) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
