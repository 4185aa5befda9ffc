package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.conflicts.ConflictResolver;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.util.ThrottledWarning;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's hand on tokens with conflicting revisions (replicas or cluster nodes that took writes at once): whenever
 * the feed, the claim queue's view read or the reaper shows one, it is resolved at once by the rules every worker
 * shares, and the duplicate executions found are reported. A conflicted token is never claimed or reaped as it is: its
 * winner may hide a finished revision. A resolution that fails is tried again the next time the token shows up.
 */
final class TokenConflicts {

    private static final Logger LOG = LoggerFactory.getLogger(TokenConflicts.class);

    private final ConflictResolver resolver;
    private final LongConsumer duplicates;
    private final ThrottledWarning failures;

    TokenConflicts(CouchDatabase database, Clock clock, LongConsumer duplicates) {
        // flow documents are left to their flow's tools: a token worker knows no flow's declared states
        this.resolver = new ConflictResolver(database, FlowDefinitions.none(), clock);
        this.duplicates = duplicates;
        this.failures = new ThrottledWarning(LOG, Duration.ofMinutes(1), clock);
    }

    /** The conflicted documents among {@code docs} (read with conflicts=true). */
    static List<ObjectNode> conflicted(List<ObjectNode> docs) {
        return docs.stream().filter(ConflictResolver::isConflicted).toList();
    }

    /** {@code docs} without the conflicted ones. */
    static List<ObjectNode> clean(List<ObjectNode> docs) {
        return docs.stream().filter(doc -> !ConflictResolver.isConflicted(doc)).toList();
    }

    /** Resolves the conflicted tokens among {@code docs}; returns how many it resolved. */
    synchronized int resolve(List<ObjectNode> docs) {
        List<ObjectNode> conflicted = conflicted(docs);
        if (conflicted.isEmpty()) {
            return 0;
        }
        int resolved = 0;
        try {
            for (ConflictResolver.Written written : resolver.resolve(conflicted)) {
                if (written.resolved()) {
                    resolved++;
                    LOG.warn("Token {} had conflicting revisions (replicas or cluster nodes wrote it at once): {}{}",
                            written.resolution().id(), written.resolution().rule(),
                            written.resolution().duplicates() > 0 ? "; it ran " + written.resolution().duplicates()
                                    + " more time(s) than needed, recorded in its runs" : "");
                    if (written.resolution().duplicates() > 0) {
                        duplicates.accept(written.resolution().duplicates());
                    }
                } else {
                    LOG.debug("Token {} not resolved yet: {}", written.resolution().id(), written.problem());
                }
            }
            failures.succeeded("Resolving conflicting token revisions works again");
        } catch (RuntimeException e) {
            failures.failed("Cannot resolve the conflicting revisions of " + conflicted.size() + " tokens ("
                    + Failures.describe(e) + "); they are not claimed or reaped until resolved");
        }
        return resolved;
    }
}
