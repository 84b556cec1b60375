package dev.worker.reliability.badinput;

import dev.worker.testkit.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One hand-written malformed request of {@code reliability/corpus/}: a text file whose leading {@code #} lines are
 * comments and directives, followed by the request. Header lines are sent with CRLF; the blank line ends the
 * headers; the body's lines are joined with LF and the file's final newline is not sent.
 *
 * <p>Directives:
 * <ul>
 *   <li>{@code # expect: 400 invalid_json close}: the answer: a status ({@code 400}, or a class like {@code 4xx})
 *       optionally with the error code and with {@code close} (the answer says {@code Connection: close}) or
 *       {@code open} (it does not); or {@code close} alone (closed without a response) or {@code none} (no answer
 *       while the case waits, the connection left open). Alternatives may be {@code |}-separated, but every case
 *       of the corpus names one answer.</li>
 *   <li>{@code # daemon: token}: send to the daemon that requires a bearer token (default: the open one)</li>
 *   <li>{@code # send: 1 50ms}: dribble the request, 1 byte every 50 ms</li>
 *   <li>{@code # wait: 15s}: how long to wait for the answer (default 5 s)</li>
 * </ul>
 *
 * <p>Templates, expanded anywhere: {@code {{ready_id}} {{dataset}} {{block}} {{url}} {{unknown_id}} {{token}}}
 * (values of the running suite), {@code {{len}}} (the body's length in bytes), {@code {{crlf}} {{cr}} {{lf}}
 * {{tab}}}, {@code {{x:ff00}}} (raw bytes), {@code {{repeat:N:text}}} (text N times; {@code \r} and {@code \n}
 * in the text are line ends).
 */
record CorpusCase(String name, List<Expectation> expect, boolean token, RawHttp.Sending sending, Duration patience,
        String head, String body) {
    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{([a-z_]+)(?::([^}]*))?}}");

    /**
     * One allowed answer.
     *
     * @param connection {@code close} or {@code open} when the answer must (not) close the connection, else empty
     */
    record Expectation(String status, String code, String connection) {
        static Expectation parse(String text) {
            String[] parts = text.strip().split("\\s+");
            String code = "";
            String connection = "";
            for (int i = 1; i < parts.length; i++) {
                if (parts[i].equals("close") || parts[i].equals("open")) {
                    connection = parts[i];
                } else {
                    code = parts[i];
                }
            }
            return new Expectation(parts[0], code, connection);
        }

        boolean matches(RawHttp.Answer a) {
            if (status.equals("close")) {
                return a.status() < 0 && a.closed();
            }
            if (status.equals("none")) {
                return a.status() < 0 && a.timedOut();
            }
            if (a.status() < 0) {
                return false;
            }
            String actual = Integer.toString(a.status());
            boolean statusOk = status.endsWith("xx") ? actual.charAt(0) == status.charAt(0) : actual.equals(status);
            boolean connectionOk = connection.isEmpty() || a.closed() == connection.equals("close");
            return statusOk && (code.isEmpty() || code.equals(a.errorCode())) && connectionOk;
        }

        @Override
        public String toString() {
            return String.join(" ", java.util.stream.Stream.of(status, code, connection)
                    .filter(p -> !p.isEmpty()).toList());
        }
    }

    static List<CorpusCase> load(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            List<CorpusCase> cases = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".http")).sorted().toList()) {
                cases.add(parse(dir.relativize(f).toString(), Files.readString(f, StandardCharsets.UTF_8)));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the corpus in " + dir, e);
        }
    }

    static CorpusCase parse(String name, String text) {
        List<Expectation> expect = new ArrayList<>();
        boolean token = false;
        RawHttp.Sending sending = RawHttp.Sending.AT_ONCE;
        Duration wait = Duration.ofSeconds(5);
        String[] lines = text.split("\n", -1);
        int i = 0;
        for (; i < lines.length && lines[i].startsWith("#"); i++) {
            String line = lines[i].substring(1).strip();
            int colon = line.indexOf(':');
            // Directives are lowercase: a comment may start with a header name such as "Expect:".
            String key = colon < 0 ? "" : line.substring(0, colon).strip();
            String value = colon < 0 ? "" : line.substring(colon + 1).strip();
            switch (key) {
                case "expect" -> {
                    if (!expect.isEmpty()) {
                        throw new IllegalArgumentException("corpus case " + name + " has two '# expect:' lines");
                    }
                    for (String alt : value.split("\\|")) {
                        expect.add(Expectation.parse(alt));
                    }
                }
                case "daemon" -> token = value.equals("token");
                case "send" -> {
                    String[] parts = value.split("\\s+");
                    sending = new RawHttp.Sending(Integer.parseInt(parts[0]), duration(parts[1]));
                }
                case "wait" -> wait = duration(value);
                default -> {
                    // a comment
                }
            }
        }
        if (expect.isEmpty()) {
            throw new IllegalArgumentException("corpus case " + name + " has no '# expect:' line");
        }
        List<String> rest = new ArrayList<>(List.of(lines).subList(i, lines.length));
        if (!rest.isEmpty() && rest.getLast().isEmpty()) {
            rest.removeLast(); // the file's final newline
        }
        int blank = rest.indexOf("");
        String head;
        String body;
        if (blank < 0) {
            head = String.join("\r\n", rest);
            body = null;
        } else {
            head = String.join("\r\n", rest.subList(0, blank));
            body = String.join("\n", rest.subList(blank + 1, rest.size()));
        }
        return new CorpusCase(name, List.copyOf(expect), token, sending, wait, head, body);
    }

    /**
     * The bytes to send: the head with CRLF after each line and a blank line (when the file has one), then the body.
     * A head without a blank line in the file is sent as it stands (an unfinished request).
     */
    byte[] render(Map<String, String> vars) {
        byte[] bodyBytes = body == null ? new byte[0] : expand(body, vars, -1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(expand(head, vars, bodyBytes.length));
        if (body != null) {
            out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(bodyBytes);
        }
        return out.toByteArray();
    }

    private static byte[] expand(String text, Map<String, String> vars, int bodyLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Matcher m = TEMPLATE.matcher(text);
        int at = 0;
        while (m.find()) {
            out.writeBytes(text.substring(at, m.start()).getBytes(StandardCharsets.UTF_8));
            String arg = m.group(2);
            switch (m.group(1)) {
                case "len" -> out.writeBytes(Integer.toString(bodyLength).getBytes(StandardCharsets.US_ASCII));
                case "crlf" -> out.writeBytes(new byte[] {'\r', '\n'});
                case "cr" -> out.write('\r');
                case "lf" -> out.write('\n');
                case "tab" -> out.write('\t');
                case "x" -> out.writeBytes(HexFormat.of().parseHex(arg));
                case "repeat" -> {
                    int colon = arg.indexOf(':');
                    // The unit may hold line ends, written \r and \n (the corpus files' own lines end in LF).
                    byte[] unit = arg.substring(colon + 1).replace("\\r", "\r").replace("\\n", "\n")
                            .getBytes(StandardCharsets.UTF_8);
                    for (int n = Integer.parseInt(arg.substring(0, colon)); n > 0; n--) {
                        out.writeBytes(unit);
                    }
                }
                default -> {
                    String v = vars.get(m.group(1));
                    if (v == null) {
                        throw new IllegalArgumentException("unknown template {{" + m.group(1) + "}}");
                    }
                    out.writeBytes(v.getBytes(StandardCharsets.UTF_8));
                }
            }
            at = m.end();
        }
        out.writeBytes(text.substring(at).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static Duration duration(String v) {
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
            return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
        }
        throw new IllegalArgumentException("not a duration: " + v);
    }

    boolean slow() {
        return sending.dribbles() || patience.compareTo(Duration.ofSeconds(5)) > 0;
    }
}
