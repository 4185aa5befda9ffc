package io.couchwork.conflicts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import java.util.ArrayList;
import java.util.List;

/**
 * How one conflicted document is resolved: the revision kept (rewritten when merging changed it), the losing leaves to
 * delete, any document to write along (a dead letter), the duplicate executions found, and the rule that decided.
 * Every write goes in one _bulk_docs, so no reader ever sees the losers gone without the merge.
 */
public record ConflictResolution(String id, String keptRev, ObjectNode kept, boolean keptChanged,
        List<String> losingRevs, List<ObjectNode> alongside, int duplicates, String rule) {

    /** The documents of the one _bulk_docs that resolves the conflict: the kept revision if changed, tombstones, extras. */
    public List<ObjectNode> writes() {
        List<ObjectNode> writes = new ArrayList<>();
        if (keptChanged) {
            writes.add(kept);
        }
        losingRevs.forEach(rev -> writes.add(CouchDatabase.tombstone(id, rev)));
        writes.addAll(alongside);
        return writes;
    }
}
