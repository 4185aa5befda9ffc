package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Resolves tokens with conflicting revisions, the same way on every worker, before any is claimed or reaped; given by
 * the app (see io.couchwork.conflicts), since the rules also know flow documents.
 */
@FunctionalInterface
public interface TokenConflictResolver {

    /** Leaves conflicted tokens unresolved, so unclaimed: for workers that never meet a conflict (tests). */
    TokenConflictResolver NONE = docs -> 0;

    /**
     * Resolves the conflicted tokens among {@code docs}; returns how many duplicate executions the resolutions found
     * (runs that finished on a losing revision).
     */
    int resolve(List<ObjectNode> docs);
}
