package io.couchwork.conflicts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Revision ids as CouchDB orders them when it picks a conflict's winner: higher generation first, then higher hash. */
public final class Revisions {

    /** The order of CouchDB's winner: the revision CouchDB shows first, on every replica alike. */
    public static final Comparator<ObjectNode> COUCHDB_WINNER_FIRST = Comparator
            .comparingLong((ObjectNode doc) -> generation(rev(doc)))
            .thenComparing(doc -> hash(rev(doc)))
            .reversed();

    private Revisions() {}

    /** The leaves, each revision once. */
    public static List<ObjectNode> distinct(List<ObjectNode> leaves) {
        Map<String, ObjectNode> byRev = new LinkedHashMap<>();
        leaves.forEach(leaf -> byRev.putIfAbsent(rev(leaf), leaf));
        return List.copyOf(byRev.values());
    }

    public static String rev(ObjectNode doc) {
        return doc.path("_rev").asText("");
    }

    public static long generation(String rev) {
        int dash = rev == null ? -1 : rev.indexOf('-');
        try {
            return dash < 0 ? 0 : Long.parseLong(rev.substring(0, dash));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String hash(String rev) {
        int dash = rev.indexOf('-');
        return dash < 0 ? rev : rev.substring(dash + 1);
    }

    /** The document's body without what only says which revision it is: two replicas' identical writes compare equal. */
    public static ObjectNode body(ObjectNode doc) {
        ObjectNode body = doc.deepCopy();
        body.remove("_rev");
        body.remove("_conflicts");
        body.remove("_deleted_conflicts");
        body.remove("_revisions");
        return body;
    }
}
