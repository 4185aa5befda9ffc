package io.couchwork.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.TestCouch;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Paging through selections on the test server, with pages smaller than the selection. */
@ExtendWith(CouchDbServerExtension.class)
class SelectionReaderIT {

    @Test
    void should_page_through_a_view_whose_keys_many_tokens_share(TestCouch couch) {
        CouchDatabase database = couch.database(couch.createDatabase());
        List<ObjectNode> docs = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            ObjectNode token = Json.object();
            token.put("_id", "t" + i);
            token.put("type", "token");
            token.put("lock", 0);
            token.put("done", 0);
            token.put("cores", i % 3);
            docs.add(token);
        }
        database.bulkWrite(docs);
        new io.couchwork.token.DesignDocuments(database).installFor(List.of("token"));
        ObjectNode byCores = Json.object();
        byCores.put("map", "function(doc) { if (doc.type == 'token') { emit(doc.cores, null); } }");
        new io.couchwork.token.DesignDocuments(database).ensureViews("Monitor", Map.of("by_cores", byCores));
        SelectionReader reader = new SelectionReader(database, 4, Clock.systemUTC(), OpsProgress.QUIET);

        assertThat(reader.ids(new TokenSelection("token", null, "by_cores", null, null))).hasSize(23).doesNotHaveDuplicates();
        assertThat(reader.ids(TokenSelection.all("token"))).hasSize(23).doesNotHaveDuplicates();
        assertThat(reader.ids(TokenSelection.inState("token", io.couchwork.token.TokenState.TODO))).hasSize(23);
        ObjectNode selector = Json.object();
        selector.put("cores", 1);
        assertThat(reader.ids(new TokenSelection("token", null, null, selector, null))).hasSize(8);
    }
}
