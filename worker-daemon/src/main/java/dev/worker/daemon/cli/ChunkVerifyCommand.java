package dev.worker.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.client.HttpReply;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code worker chunk verify ID... | --all}: re-hash ready chunks on the daemon (POST /v1/chunks/{id}/verify), one
 * at a time so a scrub does not take every disk's bandwidth at once. Exit 1 when any chunk is corrupt or could not
 * be checked.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Re-hash chunks' files against the sizes and SHA-256 recorded when they were published "
                + "(POST /v1/chunks/{id}/verify).",
                "A corrupt chunk is withdrawn at once and downloaded anew. Prints one line per chunk and a summary; "
                        + "exit 1 when any chunk is corrupt."})
final class ChunkVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Option(names = "--all", description = "Verify every ready chunk.")
    boolean all;
    @Parameters(paramLabel = "ID", arity = "0..*", description = "Chunk ids (64 hex), or unique prefixes of them.")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (all == !ids.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), all
                    ? "give chunk ids or --all, not both" : "give chunk ids to verify, or --all");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ArrayNode results = ChunkDescriptorJson.MAPPER.createArrayNode();
        int ok = 0;
        int corrupt = 0;
        int notReady = 0;
        int errors = 0;
        try (ApiClient api = client.client()) {
            List<String> targets = new ArrayList<>();
            if (all) {
                for (JsonNode c : ApiClient.json(api.expectOk(api.get("/v1/chunks?state=ready"))).path("chunks")) {
                    targets.add(c.path("id").asText());
                }
            } else {
                for (String id : ids) {
                    try {
                        targets.add(ChunkCommand.resolve(api, id));
                    } catch (CliException e) {
                        err.println("error: " + e.getMessage());
                        errors++;
                    }
                }
            }
            for (String id : targets) {
                HttpReply reply = api.post("/v1/chunks/" + ApiClient.segment(id) + "/verify", new byte[0]);
                if (!reply.ok()) {
                    err.println("error: " + id + ": " + ApiClient.errorMessage(reply));
                    errors++;
                    continue;
                }
                JsonNode r = ApiClient.json(reply);
                results.add(r);
                String result = r.path("result").asText();
                switch (result) {
                    case "ok" -> ok++;
                    case "corrupt" -> corrupt++;
                    default -> notReady++;
                }
                if (!client.json) {
                    out.println(result + " " + id + (r.hasNonNull("problem") ? ": " + r.get("problem").asText() : ""));
                }
            }
        }
        if (client.json) {
            ObjectNode doc = ChunkDescriptorJson.MAPPER.createObjectNode();
            doc.set("results", results);
            doc.put("ok", ok).put("corrupt", corrupt).put("not_ready", notReady).put("errors", errors);
            out.println(ChunkDescriptorJson.MAPPER.writeValueAsString(doc));
        } else {
            out.println("verified " + (ok + corrupt + notReady) + " chunk(s): " + ok + " ok, " + corrupt + " corrupt, "
                    + notReady + " not ready" + (errors > 0 ? ", " + errors + " error(s)" : ""));
        }
        return corrupt > 0 || errors > 0 ? 1 : 0;
    }
}
