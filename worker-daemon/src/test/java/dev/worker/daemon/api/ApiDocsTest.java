package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** docs/openapi.yaml and docs/api.md describe exactly the routes and error codes the code has. */
final class ApiDocsTest {
    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void openApi_parses_andListsEveryRouteAndErrorCode() throws Exception {
        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(DOCS.resolve("openapi.yaml").toFile());
        assertThat(spec.get("openapi").asText()).startsWith("3.1");
        JsonNode paths = spec.get("paths");
        for (Route route : Route.values()) {
            JsonNode path = paths.get(route.pattern());
            assertThat(path).as(route.pattern()).isNotNull();
            assertThat(path.has(route.method().name().toLowerCase(Locale.ROOT))).as(route.toString()).isTrue();
        }
        List<String> codes = new ArrayList<>();
        spec.at("/components/schemas/Error/properties/error/properties/code/enum").forEach(n -> codes.add(n.asText()));
        List<String> expected = new ArrayList<>();
        for (ApiError e : ApiError.values()) {
            expected.add(e.code());
        }
        assertThat(codes).containsExactlyInAnyOrderElementsOf(expected);
        int operations = 0;
        for (JsonNode path : paths) {
            for (String method : List.of("get", "post", "put", "delete")) {
                if (path.has(method)) {
                    operations++;
                }
            }
        }
        assertThat(operations).isEqualTo(Route.values().length);
    }

    @Test
    void apiMarkdown_documentsEveryRouteAndErrorCode() throws Exception {
        String md = Files.readString(DOCS.resolve("api.md"));
        for (Route route : Route.values()) {
            assertThat(md).as(route.toString()).contains("`" + route.method().name() + " " + route.pattern());
        }
        for (ApiError e : ApiError.values()) {
            assertThat(md).contains("| " + e.status().code() + " | `" + e.code() + "` |");
        }
    }
}
