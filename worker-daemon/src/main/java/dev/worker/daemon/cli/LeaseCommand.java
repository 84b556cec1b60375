package dev.worker.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.client.HttpReply;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code worker lease DATASET BLOCK [--ttl]} and {@code worker lease release ID}. */
@Command(name = "lease", mixinStandardHelpOptions = true,
        description = {"Find the ready chunk of DATASET holding BLOCK and hold it (POST /v1/leases): its files stay "
                + "on disk until the lease is released or expires.",
                "Prints the lease id, then the chunk's directory."},
        subcommands = LeaseCommand.Release.class)
final class LeaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Parameters(index = "0", arity = "0..1", paramLabel = "DATASET", description = "The dataset id (64 hex).")
    String dataset;
    @Parameters(index = "1", arity = "0..1", paramLabel = "BLOCK", description = "The block number.")
    Long block;
    @Option(names = "--ttl", paramLabel = "DURATION", converter = Converters.Time.class,
            description = "How long to hold it, e.g. 300s or 10m (default: the daemon's, 300s).")
    Duration ttl;

    @Override
    public Integer call() throws Exception {
        if (dataset == null || block == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "expected DATASET BLOCK (or: release ID)");
        }
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode request = ChunkDescriptorJson.MAPPER.createObjectNode()
                .put("dataset_id", dataset.strip())
                .put("block", block);
        if (ttl != null) {
            request.put("ttl_seconds", ttl.toSeconds());
        }
        String body = request.toString();
        try (ApiClient api = client.client()) {
            HttpReply reply = api.expectOk(api.post("/v1/leases", body.getBytes(StandardCharsets.UTF_8)));
            JsonNode r = ApiClient.json(reply);
            ChunkCommand.print(out, reply, client.json, "lease " + r.path("lease_id").asText() + " on chunk "
                    + r.path("chunk").path("id").asText() + " until " + r.path("expires_at").asText() + "\n"
                    + r.path("path").asText());
            return 0;
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Release a lease (DELETE /v1/leases/{id}).")
    static final class Release implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ClientOptions client;
        @Parameters(paramLabel = "ID", description = "The lease id.")
        String id;

        @Override
        public Integer call() throws Exception {
            try (ApiClient api = client.client()) {
                api.expectOk(api.delete("/v1/leases/" + ApiClient.segment(id.strip())));
                if (!client.json) {
                    spec.commandLine().getOut().println("released " + id.strip());
                }
                return 0;
            }
        }
    }
}
