package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Installing the views: PiCaS's exactly, per token type, idempotent, and never clobbering a user's own views. */
@ExtendWith(CouchDbServerExtension.class)
class DesignDocumentsIT {

    @Test
    void should_install_picas_monitor_views_that_count_tokens_by_picas_conditions(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("todo", "{\"type\":\"token\",\"lock\":0,\"done\":0}");
        http.put("locked", "{\"type\":\"token\",\"lock\":100,\"done\":0}");
        http.put("done", "{\"type\":\"token\",\"lock\":100,\"done\":200,\"exit_code\":0}");
        http.put("done_text", "{\"type\":\"token\",\"lock\":100,\"done\":200,\"exit_code\":\"0\"}");
        http.put("error", "{\"type\":\"token\",\"lock\":100,\"done\":200,\"exit_code\":2}");
        http.put("picas_error", "{\"type\":\"token\",\"lock\":99,\"done\":99,\"exit_code\":\"\"}");
        http.put("other_type", "{\"type\":\"L123\",\"lock\":0,\"done\":0}");
        designs(couch, db).installFor(List.of("token", "L123"));

        http.awaitViewCount("Monitor", "todo", 1);
        http.awaitViewCount("Monitor", "locked", 1);
        http.awaitViewCount("Monitor", "done", 2);
        http.awaitViewCount("Monitor", "error", 2);
        http.awaitOverview("Monitor", "done", 2);
        http.awaitOverview("Monitor", "error", 2);
        // GRID_LRT: one design document per token type
        http.awaitViewCount("L123", "todo", 1);
        assertThat(http.get("_design/Monitor").path("views").path("todo").path("map").asText())
                .contains("if(doc.type == \"token\")", "if(doc.lock == 0 && doc.done == 0)", "emit(doc._id, doc._id);");
        // Couchwork's own count agrees with PiCaS's
        TokenCounts counts = TokenCounts.read(couch.database(db));
        assertThat(counts.count("token", TokenState.TODO)).isEqualTo(1);
        assertThat(counts.count("token", TokenState.DONE)).isEqualTo(2);
        assertThat(counts.count("token", TokenState.ERROR)).isEqualTo(2);
        assertThat(counts.count("L123", TokenState.TODO)).isEqualTo(1);
    }

    @Test
    void should_not_rewrite_an_equal_design_document_and_keep_views_a_user_added(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("_design/Monitor", "{\"views\":{\"cores4\":{\"map\":\"function(doc){ if (doc.cores == 4) emit(doc._id, 1); }\"},"
                + "\"todo\":{\"map\":\"function(doc){ emit('outdated', 1); }\"}}}");
        DesignDocuments designs = designs(couch, db);
        designs.installFor(List.of("token"));
        JsonNode upgraded = http.get("_design/Monitor");
        assertThat(upgraded.path("views").path("cores4").path("map").asText()).contains("doc.cores == 4");
        assertThat(upgraded.path("views").path("todo").path("map").asText()).contains("doc.lock == 0 && doc.done == 0");
        String rev = upgraded.path("_rev").asText();
        String queueRev = http.get("_design/couchwork_queue").path("_rev").asText();

        designs.installFor(List.of("token"));

        assertThat(http.get("_design/Monitor").path("_rev").asText()).isEqualTo(rev);
        assertThat(http.get("_design/couchwork_queue").path("_rev").asText()).isEqualTo(queueRev);
        assertThat(designs.ensureViews("Monitor", TokenViews.picasViews("token"))).isFalse();
    }

    private static DesignDocuments designs(TestCouch couch, String db) {
        return new DesignDocuments(couch.database(db));
    }
}
