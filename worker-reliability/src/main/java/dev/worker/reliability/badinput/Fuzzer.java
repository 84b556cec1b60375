package dev.worker.reliability.badinput;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded mutations of valid admin API requests: JSON values of the wrong type or range, missing, unknown and
 * duplicated fields, broken bytes and encodings in bodies, paths and queries, odd methods and versions, and header
 * trouble. Each case knows whether the daemon can tell it is complete (then it must answer) or may rightly wait
 * for bytes that never come.
 */
final class Fuzzer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE",
        "CONNECT", "get", "P0ST", "BREW", "GET\u0000"};
    private static final String[] VERSIONS = {"HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "HTTP/1", "HTTP/1.1x", "http/1.1",
        "HTTP/0.9", "HTTP/1.1 extra", "HTTX/1.1", ""};
    private static final String[] PATH_JUNK = {"%2e%2e", "%2e%2e%2f", "../", "%00", "%zz", "%", "%ff%fe", "//", "/.",
        "?", "#", ";x", "%2F", "\u00e9", "%c3%28", "*", "~", "+", " ", "\t"};
    private static final String[] STRINGS = {"", "../etc/passwd", "..", ".", "chunk.json", "a/b", "\u0000", "ftp://x/y",
        "file:///etc/passwd", "http://", "http://user:pw@127.0.0.1/x", "javascript:alert(1)", "http://[::1",
        "\ud83d\ude00",
        "\u00ff\u00fe", "AAAA", "0x10", "1e999", "-1", "NaN", "null", "true", "http://127.0.0.1:1/x",
        "gopher://127.0.0.1/x", "HTTP://127.0.0.1/UPPER", "\\\\server\\share"};

    /** A request to send, and whether the daemon can know it has all of it. */
    record Case(String description, byte[] bytes, boolean complete, String method) {
    }

    /** A valid request the mutations start from. */
    record Base(String method, String target, Map<String, String> headers, String body) {
    }

    private final List<Base> bases;

    Fuzzer(List<Base> bases) {
        this.bases = List.copyOf(bases);
    }

    Case next(SplittableRandom random) {
        Base base = bases.get(random.nextInt(bases.size()));
        Request r = new Request(base);
        List<String> applied = new ArrayList<>();
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            applied.add(mutate(r, random));
        }
        byte[] bytes = r.render();
        boolean complete = r.complete();
        if (random.nextInt(100) < 3) {
            // Damage anywhere: the daemon may then see an unfinished request and rightly wait for the rest.
            int at = random.nextInt(bytes.length);
            bytes[at] = (byte) random.nextInt(256);
            complete = false;
            applied.add("raw byte " + at + " changed");
        }
        return new Case(base.method() + " " + base.target() + ": " + String.join(", ", applied), bytes, complete,
                r.method);
    }

    /** A request being mutated. */
    private static final class Request {
        String method;
        String target;
        String version = "HTTP/1.1";
        final List<String[]> headers = new ArrayList<>();
        byte[] body;
        boolean contentLengthAuto = true;
        boolean mayWait;

        Request(Base base) {
            method = base.method();
            target = base.target();
            headers.add(new String[] {"Host", "127.0.0.1"});
            base.headers().forEach((k, v) -> headers.add(new String[] {k, v}));
            body = base.body() == null ? new byte[0] : base.body().getBytes(StandardCharsets.UTF_8);
        }

        byte[] render() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((method + " " + target + (version.isEmpty() ? "" : " " + version) + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            for (String[] h : headers) {
                out.writeBytes((h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            if (contentLengthAuto && (body.length > 0 || method.equals("POST") || method.equals("PUT"))) {
                out.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(body);
            return out.toByteArray();
        }

        /**
         * False when the daemon may rightly wait for more bytes: a mutation said so, or a Content-Length header
         * promises more body than there is (a later mutation may have shrunk the body after the header was set).
         */
        boolean complete() {
            if (mayWait) {
                return false;
            }
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase("Content-Length")) {
                    try {
                        if (Long.parseLong(h[1].trim()) > body.length) {
                            return false;
                        }
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    private String mutate(Request r, SplittableRandom random) {
        int pick = random.nextInt(100);
        if (pick < 30 && r.body.length > 0) {
            return mutateJson(r, random);
        }
        if (pick < 45 && r.body.length > 0) {
            return mutateBodyBytes(r, random);
        }
        if (pick < 62) {
            return mutateTarget(r, random);
        }
        if (pick < 68) {
            r.method = METHODS[random.nextInt(METHODS.length)];
            return "method " + printable(r.method);
        }
        if (pick < 72) {
            r.version = VERSIONS[random.nextInt(VERSIONS.length)];
            return "version '" + r.version + "'";
        }
        return mutateHeaders(r, random);
    }

    // ---- bodies ------------------------------------------------------------------------------------------------

    private String mutateJson(Request r, SplittableRandom random) {
        JsonNode root;
        try {
            root = JSON.readTree(r.body);
        } catch (IOException e) {
            return mutateBodyBytes(r, random);
        }
        if (root == null) {
            return mutateBodyBytes(r, random);
        }
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) {
            // An earlier mutation left a bare scalar: nothing structured to change.
            return mutateBodyBytes(r, random);
        }
        JsonNode target = containers.get(random.nextInt(containers.size()));
        String what;
        if (target instanceof ObjectNode object && object.size() > 0) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            String name = names.get(random.nextInt(names.size()));
            int op = random.nextInt(4);
            if (op == 0) {
                object.remove(name);
                what = "removed field " + name;
            } else if (op == 1) {
                object.set("x_" + random.nextInt(1000), randomValue(random));
                what = "unknown field";
            } else {
                object.set(name, randomValue(random));
                what = "field " + name + " := " + abbreviate(object.get(name).toString());
            }
        } else if (target instanceof ArrayNode array) {
            if (array.isEmpty() || random.nextBoolean()) {
                array.add(randomValue(random));
                what = "array element added";
            } else {
                array.set(random.nextInt(array.size()), randomValue(random));
                what = "array element replaced";
            }
        } else {
            what = "no-op";
        }
        try {
            String text = JSON.writeValueAsString(root);
            if (random.nextInt(10) == 0 && text.startsWith("{\"")) {
                // A duplicated key, which JSON parsers commonly accept silently.
                int colon = text.indexOf(':');
                text = "{" + text.substring(1, colon) + ":1," + text.substring(1);
                what += ", duplicated first key";
            }
            r.body = text.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return "json " + what;
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                collect(it.next(), out);
            }
        }
    }

    private static JsonNode randomValue(SplittableRandom random) {
        return switch (random.nextInt(12)) {
            case 0 -> NODES.textNode(STRINGS[random.nextInt(STRINGS.length)]);
            case 1 -> NODES.numberNode(random.nextLong());
            case 2 -> NODES.numberNode(-random.nextInt(1000) - 1);
            case 3 -> NODES.numberNode(random.nextDouble() * 1e6);
            case 4 -> NODES.booleanNode(random.nextBoolean());
            case 5 -> NODES.nullNode();
            case 6 -> NODES.arrayNode().add(1).add("x");
            case 7 -> NODES.objectNode().put("url", STRINGS[random.nextInt(STRINGS.length)]).put("size", -5);
            case 8 -> NODES.textNode("a".repeat(random.nextInt(1, 70_000)));
            case 9 -> NODES.numberNode(new java.math.BigInteger("9".repeat(random.nextInt(19, 400))));
            case 10 -> NODES.textNode("ab".repeat(32).toUpperCase(Locale.ROOT).substring(random.nextInt(60)));
            default -> NODES.objectNode();
        };
    }

    private String mutateBodyBytes(Request r, SplittableRandom random) {
        byte[] b = r.body;
        int at = b.length == 0 ? 0 : random.nextInt(b.length);
        switch (random.nextInt(7)) {
            case 0 -> {
                if (b.length > 0) {
                    b[at] = (byte) random.nextInt(256);
                }
                return "body byte " + at + " changed";
            }
            case 1 -> {
                r.body = splice(b, at, 0, new byte[] {(byte) 0xc3, (byte) 0x28});
                return "invalid UTF-8 at " + at;
            }
            case 2 -> {
                r.body = splice(b, at, 0, new byte[] {0});
                return "NUL at " + at;
            }
            case 3 -> {
                r.body = java.util.Arrays.copyOf(b, at);
                return "body truncated at " + at;
            }
            case 4 -> {
                int len = Math.min(b.length - at, random.nextInt(1, 64));
                r.body = splice(b, at, len, new byte[0]);
                return "body bytes deleted at " + at;
            }
            case 5 -> {
                r.body = splice(b, at, 0, "\"}]{[,:".substring(random.nextInt(7)).getBytes(StandardCharsets.UTF_8));
                return "JSON punctuation inserted at " + at;
            }
            default -> {
                r.body = splice(b, at, 0, new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf});
                return "BOM at " + at;
            }
        }
    }

    // ---- request line ------------------------------------------------------------------------------------------

    private String mutateTarget(Request r, SplittableRandom random) {
        String t = r.target;
        int at = random.nextInt(t.length() + 1);
        switch (random.nextInt(6)) {
            case 0 -> r.target = t.substring(0, at) + PATH_JUNK[random.nextInt(PATH_JUNK.length)] + t.substring(at);
            case 1 -> r.target = t + (t.contains("?") ? "&" : "?") + switch (random.nextInt(5)) {
                case 0 -> "state=ready&state=ready";
                case 1 -> "x=1";
                case 2 -> "state=" + STRINGS[random.nextInt(STRINGS.length)].replace(" ", "%20");
                case 3 -> "dataset_id=" + "z".repeat(64);
                default -> "state=%zz";
            };
            case 2 -> r.target = t.substring(0, at) + "/" + "a".repeat(random.nextInt(1, 9000));
            case 3 -> r.target = t.toUpperCase(Locale.ROOT);
            case 4 -> r.target = at < t.length() ? t.substring(0, at) : t + "/x";
            default -> r.target = "http://127.0.0.1" + t;
        }
        return "target '" + abbreviate(printable(r.target)) + "'";
    }

    // ---- headers -----------------------------------------------------------------------------------------------

    private String mutateHeaders(Request r, SplittableRandom random) {
        switch (random.nextInt(17)) {
            case 0 -> {
                r.contentLengthAuto = false;
                if (r.body.length > 0) {
                    r.headers.add(new String[] {"Content-Length",
                            Integer.toString(r.body.length + 1 + random.nextInt(100))});
                    r.mayWait = true;
                }
                return "Content-Length too large";
            }
            case 1 -> {
                r.contentLengthAuto = false;
                r.headers.add(new String[] {"Content-Length", Integer.toString(Math.max(0, r.body.length - 1))});
                return "Content-Length too small";
            }
            case 2 -> {
                r.contentLengthAuto = false;
                r.headers.add(new String[] {"Content-Length", random.nextBoolean() ? "-1" : "abc"});
                r.mayWait = true;
                return "Content-Length invalid";
            }
            case 3 -> {
                r.headers.add(new String[] {"Content-Length", Integer.toString(r.body.length + 7)});
                r.mayWait = true;
                return "Content-Length twice";
            }
            case 4 -> {
                r.headers.add(new String[] {"Transfer-Encoding", random.nextBoolean() ? "chunked" : "gzip, chunked"});
                r.mayWait = true;
                return "Transfer-Encoding on a plain body";
            }
            case 5 -> {
                r.headers.add(new String[] {"Expect", "100-continue"});
                return "Expect: 100-continue";
            }
            case 6 -> {
                r.headers.add(new String[] {"X-Big", "b".repeat(random.nextInt(1000, 20_000))});
                return "large header";
            }
            case 7 -> {
                r.headers.add(new String[] {"Bad Header", "x"});
                return "header name with a space";
            }
            case 8 -> {
                r.headers.add(new String[] {"X-Folded", "a\r\n b"});
                return "obsolete line folding";
            }
            case 9 -> {
                r.headers.add(new String[] {"X-Bytes", "\u00ff\u0000\u00e9"});
                return "control and non-ASCII bytes in a value";
            }
            case 10 -> {
                r.headers.removeIf(h -> h[0].equals("Host"));
                return "no Host";
            }
            case 11 -> {
                r.headers.add(new String[] {"Authorization", random.nextBoolean() ? "Bearer " : "Basic Zm9vOmJhcg=="});
                return "Authorization on an open daemon";
            }
            case 12 -> {
                r.headers.add(new String[] {"Content-Type", random.nextBoolean() ? "text/plain; charset=latin1"
                        : "application/json; charset=utf-16"});
                return "odd Content-Type";
            }
            case 13 -> {
                r.headers.removeIf(h -> h[0].equals("Host"));
                r.headers.add(new String[] {"Host", random.nextBoolean() ? "evil.example"
                        : "127.0.0.1.evil.example:7070"});
                return "foreign Host";
            }
            case 14 -> {
                r.headers.add(new String[] {"Origin", random.nextBoolean() ? "http://evil.example" : "null"});
                return "Origin";
            }
            case 15 -> {
                r.headers.removeIf(h -> h[0].equalsIgnoreCase("Authorization"));
                return "no Authorization";
            }
            default -> {
                r.headers.add(new String[] {"Connection", random.nextBoolean() ? "close" : "upgrade, keep-alive"});
                r.headers.add(new String[] {"Upgrade", "h2c"});
                return "Connection/Upgrade";
            }
        }
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || c > 0x7e ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
