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

/** {@code worker assign FILE|-}: replace the whole desired chunk set. */
@Command(name = "assign", mixinStandardHelpOptions = true,
        description = {"Replace the desired chunk set (PUT /v1/assignment): every chunk in FILE is wanted, every "
                + "other chunk is removed.", "FILE holds {\"chunks\": [descriptor...]}; - reads it from stdin."})
final class AssignCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Parameters(paramLabel = "FILE|-", description = "The assignment JSON file, or - for stdin.")
    String file;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        byte[] body = Inputs.read(file, System.in);
        try (ApiClient api = client.client()) {
            HttpReply reply = api.expectOk(api.put("/v1/assignment", body));
            JsonNode r = ApiClient.json(reply);
            ChunkCommand.print(out, reply, client.json, "assigned: " + r.path("download").asInt() + " to download, "
                    + r.path("delete").asInt() + " to delete, " + r.path("keep").asInt() + " kept");
            return 0;
        }
    }
}
