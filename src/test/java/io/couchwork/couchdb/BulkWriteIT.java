package io.couchwork.couchdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.devserver.BundledCouchServer;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.TestCouch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * _bulk_docs results belong to the documents they name. The bundled server with its data on disk answers a batch of
 * updates out of request order now and then; a worker that took the results by position held other tokens' revisions,
 * its start writes conflicted, and it let go of its own claims.
 */
class BulkWriteIT {

    @TempDir
    Path data;

    @Test
    void should_give_each_document_its_own_revision_whatever_order_the_server_answers_in() {
        try (BundledCouchServer server = CouchDbServerExtension.startBundledServer(
                BundledCouchServer.Options.inMemory().onDisk(data))) {
            TestCouch couch = TestCouch.forUrl(server.url());
            CouchDatabase db = couch.database(couch.createDatabase());
            Map<String, String> revs = new HashMap<>();
            List<ObjectNode> fresh = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                fresh.add(Json.object().put("_id", "token_" + i).put("type", "token").put("lock", 0));
            }
            db.bulkWrite(fresh).forEach(r -> revs.put(r.id(), r.rev()));
            Random random = new Random(42);
            List<String> ids = new ArrayList<>(revs.keySet());
            for (int round = 1; round <= 30; round++) {
                Collections.shuffle(ids, random);
                List<ObjectNode> updates = new ArrayList<>();
                for (String id : ids.subList(0, 40)) {
                    updates.add(Json.object().put("_id", id).put("_rev", revs.get(id)).put("type", "token")
                            .put("lock", round));
                }
                List<WriteResult> results = db.bulkWrite(updates);
                for (int i = 0; i < updates.size(); i++) {
                    String id = updates.get(i).get("_id").asText();
                    assertThat(results.get(i).id()).as("result %d of round %d", i, round).isEqualTo(id);
                    assertThat(results.get(i).ok()).isTrue();
                    revs.put(id, results.get(i).rev());
                }
            }
            for (ObjectNode doc : db.getAll(revs.keySet())) {
                String id = doc.get("_id").asText();
                assertThat(doc.get("_rev").asText()).as(id).isEqualTo(revs.get(id));
            }
        }
    }
}
