package io.couchwork.changes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** One way of reading a database's _changes feed with documents, batch by batch, for a {@link ChangesFollower}. */
public interface ChangesFeed {

    /** One change: its sequence (opaque) and the changed document (a stub with _deleted for a deletion), or null. */
    record Change(String seq, ObjectNode doc) {}

    /** Changes in feed order and the sequence after them (opaque; null when the batch brought none). */
    record Batch(List<Change> changes, String lastSeq) {

        /** The changed documents, deletions included. */
        public List<ObjectNode> docs() {
            List<ObjectNode> docs = new ArrayList<>(changes.size());
            for (Change change : changes) {
                if (change.doc() != null) {
                    docs.add(change.doc());
                }
            }
            return docs;
        }
    }

    /** Reads from after {@code since}, an opaque sequence; closes what was open before. */
    void open(String since);

    /** The next changes, at most {@code max}; throws when the feed failed and must be opened again. */
    Batch next(int max) throws IOException;

    /** Aborts the request in flight, from any thread. */
    void close();

    /** True for a failure that only means the server kept an idle request open past the client's read timeout. */
    default boolean isIdleTimeout(Exception error) {
        return false;
    }
}
