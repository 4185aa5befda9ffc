package io.couchwork.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.WriteResult;
import java.util.List;

/** Writes documents with _bulk_docs in batches, so that 10,000 changes cost 20 requests, not 10,000. */
public final class BulkWriter {

    private final CouchDatabase database;
    private final int batchSize;

    public BulkWriter(CouchDatabase database, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
        this.database = database;
        this.batchSize = batchSize;
    }

    /** Writes all documents, batch by batch, reporting each result to the summary and progress to the listener. */
    public void write(List<ObjectNode> docs, WriteSummary summary, OpsProgress progress, String what) {
        for (int from = 0; from < docs.size(); from += batchSize) {
            List<ObjectNode> batch = docs.subList(from, Math.min(docs.size(), from + batchSize));
            writeBatch(batch, summary);
            progress.update(what, Math.min(docs.size(), from + batchSize), docs.size());
        }
    }

    /** One _bulk_docs request. */
    public List<WriteResult> writeBatch(List<ObjectNode> batch, WriteSummary summary) {
        List<WriteResult> results = database.bulkWrite(batch);
        results.forEach(summary::add);
        return results;
    }
}
