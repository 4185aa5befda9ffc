package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Documents read with conflicts=true that have conflicting revisions (replicas or cluster nodes wrote them at once). */
public final class ConflictedDocuments {

    private ConflictedDocuments() {}

    /**
     * True when {@code doc} lists a revision other than its own in _conflicts (PouchDB Server lists a document's own
     * revision there when two clients wrote the same revision; deleting that "loser" would delete the document).
     */
    public static boolean isConflicted(JsonNode doc) {
        return doc != null && doc.has("_conflicts") && !otherRevisions(doc).isEmpty();
    }

    /**
     * The other leaf revisions _conflicts names; its own is left out (PouchDB Server lists it when two clients wrote the
     * same revision).
     */
    public static List<String> otherRevisions(JsonNode doc) {
        List<String> others = new ArrayList<>();
        String own = doc.path("_rev").asText();
        for (JsonNode rev : doc.path("_conflicts")) {
            if (!rev.asText().equals(own) && !others.contains(rev.asText())) {
                others.add(rev.asText());
            }
        }
        return others;
    }

    /** The conflicted documents among {@code docs}. */
    public static List<ObjectNode> among(List<ObjectNode> docs) {
        return docs.stream().filter(ConflictedDocuments::isConflicted).toList();
    }

    /** {@code docs} without the conflicted ones. */
    public static List<ObjectNode> without(List<ObjectNode> docs) {
        // every change of the pool passes here in every worker, and conflicts are rare
        return docs.stream().noneMatch(ConflictedDocuments::isConflicted) ? docs
                : docs.stream().filter(doc -> !isConflicted(doc)).toList();
    }
}
