package dev.worker.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.client.HttpReply;
import java.io.PrintWriter;
import java.time.Duration;

/** Polls a chunk until it is ready or failed, drawing a progress bar ({@code chunk add --wait}). */
final class Waiter {
    private final ApiClient api;
    private final PrintWriter err;
    private final Duration poll;

    Waiter(ApiClient api, PrintWriter err, Duration poll) {
        this.api = api;
        this.err = err;
        this.poll = poll;
    }

    int await(String id, PrintWriter out, boolean json) throws CliException, InterruptedException {
        ProgressBar bar = new ProgressBar(err);
        while (true) {
            HttpReply reply = api.get("/v1/chunks/" + ApiClient.segment(id));
            if (reply.status() == 404) {
                bar.finish();
                throw new CliException("chunk " + id + " was removed while waiting");
            }
            JsonNode s = ApiClient.json(api.expectOk(reply));
            String state = s.path("state").asText();
            switch (state) {
                case "ready" -> {
                    bar.update(state, s.path("bytes_done").asLong(), s.path("bytes_total").asLong(), System.nanoTime());
                    bar.finish();
                    out.println(json ? reply.body() : "ready " + id + " " + s.path("path").asText());
                    return 0;
                }
                case "failed" -> {
                    bar.finish();
                    if (json) {
                        out.println(reply.body());
                    }
                    err.println("error: chunk " + id + " failed: " + s.path("last_error").asText("unknown error"));
                    return 1;
                }
                case "removing" -> {
                    bar.finish();
                    throw new CliException("chunk " + id + " is being removed (deleted while waiting)");
                }
                default -> bar.update(state, s.path("bytes_done").asLong(), s.path("bytes_total").asLong(),
                        System.nanoTime());
            }
            Thread.sleep(poll.toMillis());
        }
    }
}
