package io.couchwork.changes;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Resolves a changed document with conflicting revisions (replicas, a cluster) before a {@code changes:} flow handles
 * it; given by the app (see io.couchwork.conflicts), since the rules know the declared flows.
 */
@FunctionalInterface
public interface ConflictedChanges {

    /** Leaves conflicted documents as CouchDB shows them: where no flow is declared. */
    ConflictedChanges NONE = doc -> false;

    /**
     * True when {@code doc} (read with conflicts=true) is resolved, here or by another worker: the resolving write
     * follows in the feed, so this change is passed over; false to handle the revision shown.
     */
    boolean resolved(JsonNode doc);
}
