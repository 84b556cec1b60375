package dev.worker.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.client.HttpReply;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code worker chunk add|ls|show|rm|verify}. */
@Command(name = "chunk", mixinStandardHelpOptions = true, description = "Add, list, show, remove or verify chunks.",
        subcommands = {ChunkCommand.Add.class, ChunkCommand.Ls.class, ChunkCommand.Show.class, ChunkCommand.Rm.class,
                ChunkVerifyCommand.class})
final class ChunkCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand (add, ls, show, rm or verify)");
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Ask the daemon to download a chunk (POST /v1/chunks).",
                    "FILE holds the chunk descriptor JSON; - reads it from stdin."})
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ClientOptions client;
        @Parameters(paramLabel = "FILE|-", description = "The descriptor JSON file, or - for stdin.")
        String file;
        @Option(names = "--wait", description = "Wait until the chunk is ready, with a progress bar on stderr; "
                + "exit 0 when ready, 1 when it failed.")
        boolean await;
        @Option(names = "--poll", paramLabel = "DURATION", defaultValue = "250ms", converter = Converters.Time.class,
                hidden = true)
        java.time.Duration poll;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            byte[] body = Inputs.read(file, System.in);
            try (ApiClient api = client.client()) {
                HttpReply reply = api.expectOk(api.post("/v1/chunks", body));
                JsonNode accepted = ApiClient.json(reply);
                String id = accepted.path("id").asText();
                if (!await) {
                    print(out, reply, client.json, "accepted " + id + " (" + accepted.path("state").asText() + ")");
                    return 0;
                }
                return new Waiter(api, spec.commandLine().getErr(), poll).await(id, out, client.json);
            }
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "List the chunks the daemon knows, in any state (GET /v1/chunks).")
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ClientOptions client;
        @Option(names = "--state", paramLabel = "STATE",
                description = "Only chunks in this state: queued, downloading, ready, failed or removing.")
        String state;
        @Option(names = "--dataset", paramLabel = "DATASET", description = "Only chunks of this dataset (64 hex).")
        String dataset;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            List<String> query = new ArrayList<>();
            if (state != null) {
                query.add("state=" + URLEncoder.encode(state.toLowerCase(Locale.ROOT), StandardCharsets.UTF_8));
            }
            if (dataset != null) {
                query.add("dataset_id=" + URLEncoder.encode(dataset, StandardCharsets.UTF_8));
            }
            try (ApiClient api = client.client()) {
                HttpReply reply = api.expectOk(api.get("/v1/chunks"
                        + (query.isEmpty() ? "" : "?" + String.join("&", query))));
                if (client.json) {
                    out.println(reply.body());
                } else {
                    Output.table(out, ApiClient.json(reply).path("chunks"));
                }
                return 0;
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show one chunk's status (GET /v1/chunks/{id}).")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ClientOptions client;
        @Parameters(paramLabel = "ID", description = "The chunk id (64 hex), or a unique prefix of it.")
        String id;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (ApiClient api = client.client()) {
                HttpReply reply = api.expectOk(api.get("/v1/chunks/" + ApiClient.segment(resolve(api, id))));
                if (client.json) {
                    out.println(reply.body());
                } else {
                    Output.details(out, ApiClient.json(reply));
                }
                return 0;
            }
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Ask the daemon to remove a chunk (DELETE /v1/chunks/{id}); open leases keep its files "
                    + "until they end.")
    static final class Rm implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ClientOptions client;
        @Parameters(paramLabel = "ID", description = "The chunk id (64 hex), or a unique prefix of it.")
        String id;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (ApiClient api = client.client()) {
                String full = resolve(api, id);
                HttpReply reply = api.expectOk(api.delete("/v1/chunks/" + ApiClient.segment(full)));
                String state = ApiClient.json(reply).path("state").asText();
                print(out, reply, client.json, state.equals("absent") ? full + " is gone (absent)"
                        : "removing " + full + " (" + state + ")");
                return 0;
            }
        }
    }

    /** A full id as given, or the one known chunk whose id starts with the prefix. */
    static String resolve(ApiClient api, String idOrPrefix) throws CliException {
        String s = idOrPrefix.strip().toLowerCase(Locale.ROOT);
        if (s.length() == 64 || !s.matches("[0-9a-f]{1,63}")) {
            return s;
        }
        JsonNode chunks = ApiClient.json(api.expectOk(api.get("/v1/chunks"))).path("chunks");
        List<String> matches = new ArrayList<>();
        for (JsonNode c : chunks) {
            if (c.path("id").asText().startsWith(s)) {
                matches.add(c.path("id").asText());
            }
        }
        if (matches.size() == 1) {
            return matches.getFirst();
        }
        throw new CliException(matches.isEmpty() ? "no known chunk id starts with " + s
                : "chunk id prefix " + s + " is ambiguous: " + matches.size() + " chunks match; give more characters");
    }

    static void print(PrintWriter out, HttpReply reply, boolean json, String human) {
        out.println(json ? reply.body() : human);
    }
}
