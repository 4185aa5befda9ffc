package io.couchwork.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.token.DesignDocuments;
import java.util.List;

/**
 * Creates tokens in the pool with _bulk_docs in batches and installs the set's views. A token whose id exists already
 * (the same content loaded before) is answered 409 by CouchDB: reported as already loaded, never duplicated.
 */
public final class TokenLoader {

    private final CouchDatabase database;
    private final int batchSize;

    public TokenLoader(CouchDatabase database, int batchSize) {
        this.database = database;
        this.batchSize = batchSize;
    }

    /** Writes the tokens; conflicts in the summary are tokens that were already there. */
    public WriteSummary load(String set, List<ObjectNode> tokens, OpsProgress progress) {
        new DesignDocuments(database).installFor(List.of(set));
        WriteSummary summary = new WriteSummary();
        new BulkWriter(database, batchSize).write(tokens, summary, progress, "loading");
        progress.finish();
        return summary;
    }
}
