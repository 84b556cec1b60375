package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class RouterTest {
    @Test
    void matchesEveryRoute_andDecodesParameters() {
        assertThat(Router.route(HttpMethod.GET, "/v1/chunks").route()).isEqualTo(Route.LIST_CHUNKS);
        assertThat(Router.route(HttpMethod.POST, "/v1/chunks").route()).isEqualTo(Route.ADD_CHUNK);
        Router.Match m = Router.route(HttpMethod.GET, "/v1/datasets/ab%63/blocks/12?x=1");
        assertThat(m.route()).isEqualTo(Route.FIND_BLOCK);
        assertThat(m.param("dataset_id")).isEqualTo("abc");
        assertThat(m.param("block")).isEqualTo("12");
        assertThat(m.query()).containsKey("x");
        assertThat(Router.route(HttpMethod.DELETE, "/v1/leases/00ff").param("lease_id")).isEqualTo("00ff");
        assertThat(Router.route(HttpMethod.GET, "/metrics").route()).isEqualTo(Route.METRICS);
    }

    @Test
    void unknownPaths_areNotFound_andWrongMethods_listWhatIsAllowed() {
        for (String path : new String[] {"/", "", "/v1", "/v1/chunks/a/b", "/v1/datasets//blocks/1", "//v1/chunks",
                "http://x/v1/chunks"}) {
            assertThatThrownBy(() -> Router.route(HttpMethod.GET, path)).as(path)
                    .isInstanceOfSatisfying(ApiException.class,
                            e -> assertThat(e.error()).isEqualTo(ApiError.NOT_FOUND));
        }
        assertThatThrownBy(() -> Router.route(HttpMethod.PUT, "/v1/chunks"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.error()).isEqualTo(ApiError.METHOD_NOT_ALLOWED);
                    assertThat(e.headers()).containsEntry("Allow", "POST, GET");
                });
    }

    @Test
    void queryParameters_areCheckedAgainstWhatTheRouteTakes() {
        Router.Match m = Router.route(HttpMethod.GET, "/v1/chunks?state=ready");
        assertThat(Router.query(m, Set.of("state", "dataset_id"))).containsEntry("state", "ready");
        assertThatThrownBy(() -> Router.query(m, Set.of())).hasMessageContaining("unknown query parameter state");
    }
}
