package io.couchwork.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ibm.cloud.cloudant.v1.model.PostAllDocsOptions;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Deletes dead-letter records (requeued or not) older than a duration, in _bulk_docs batches. */
public final class DeadLetterPurge {

    static final String PREFIX = "dead_letter_";

    private final CouchDatabase database;
    private final int batchSize;

    public DeadLetterPurge(CouchDatabase database, int batchSize) {
        this.database = database;
        this.batchSize = batchSize;
    }

    /** Dead letters recorded before {@code now - olderThan} (all of them when olderThan is null). */
    public List<JsonNode> candidates(Duration olderThan, Instant now) {
        List<JsonNode> letters = new ArrayList<>();
        String startKey = PREFIX;
        while (true) {
            JsonNode result = Json.read(database.client().postAllDocsAsStream(new PostAllDocsOptions.Builder(database.name())
                    .startKey(startKey).endKey(PREFIX + "\ufff0").includeDocs(true).limit(batchSize + 1L).build())
                    .execute().getResult(), JsonNode.class);
            List<JsonNode> rows = new ArrayList<>();
            result.path("rows").forEach(rows::add);
            for (int i = 0; i < Math.min(rows.size(), batchSize); i++) {
                JsonNode doc = rows.get(i).path("doc");
                if (doc.isObject() && (olderThan == null
                        || doc.path("time").asLong() < now.minus(olderThan).getEpochSecond())) {
                    letters.add(doc);
                }
            }
            if (rows.size() <= batchSize) {
                return letters;
            }
            startKey = rows.get(batchSize).path("id").asText();
        }
    }

    public WriteSummary purge(List<JsonNode> letters, OpsProgress progress) {
        List<ObjectNode> tombstones = new ArrayList<>();
        for (JsonNode letter : letters) {
            tombstones.add(new DeleteToken().apply((ObjectNode) letter).orElseThrow());
        }
        WriteSummary summary = new WriteSummary();
        new BulkWriter(database, batchSize).write(tombstones, summary, progress, "purging");
        progress.finish();
        return summary;
    }
}
