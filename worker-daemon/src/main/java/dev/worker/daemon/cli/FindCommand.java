package dev.worker.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.client.HttpReply;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code worker find DATASET BLOCK}: which ready chunk holds a block, and where its files are. */
@Command(name = "find", mixinStandardHelpOptions = true,
        description = {"Find the ready chunk of DATASET that holds BLOCK (GET /v1/datasets/{d}/blocks/{b}).",
                "Prints the chunk's directory, then the chunk. Use 'worker lease' to keep it from being removed "
                        + "while reading."})
final class FindCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Parameters(index = "0", paramLabel = "DATASET", description = "The dataset id (64 hex).")
    String dataset;
    @Parameters(index = "1", paramLabel = "BLOCK", description = "The block number.")
    long block;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (ApiClient api = client.client()) {
            HttpReply reply = api.expectOk(api.get("/v1/datasets/" + ApiClient.segment(dataset.strip())
                    + "/blocks/" + block));
            if (client.json) {
                out.println(reply.body());
            } else {
                JsonNode found = ApiClient.json(reply);
                JsonNode chunk = found.path("chunk");
                out.println(found.path("path").asText());
                out.println("chunk " + chunk.path("id").asText() + " blocks " + Output.range(chunk));
            }
            return 0;
        }
    }
}
