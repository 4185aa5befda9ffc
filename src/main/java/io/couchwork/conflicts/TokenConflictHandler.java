package io.couchwork.conflicts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.token.ConflictedDocuments;
import io.couchwork.token.TokenConflictResolver;
import io.couchwork.util.ThrottledWarning;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's hand on tokens with conflicting revisions (replicas or cluster nodes that took writes at once): whenever
 * the feed, the claim queue's view read or the reaper shows one, it is resolved at once by the rules every worker
 * shares, and the duplicate executions found are returned for the worker's metrics. A conflicted token is never claimed or reaped as it is: its
 * winner may hide a finished revision. A resolution that fails is tried again the next time the token shows up.
 */
public final class TokenConflictHandler implements TokenConflictResolver {

    private static final Logger LOG = LoggerFactory.getLogger(TokenConflictHandler.class);

    private final ConflictResolver resolver;
    private final ThrottledWarning failures;

    public TokenConflictHandler(CouchDatabase database, Clock clock) {
        // flow documents are left to their flow's tools: a token worker knows no flow's declared states
        this.resolver = new ConflictResolver(database, FlowDefinitions.none(), clock);
        this.failures = new ThrottledWarning(LOG, Duration.ofMinutes(1), clock);
    }

    @Override
    public synchronized int resolve(List<ObjectNode> docs) {
        List<ObjectNode> conflicted = ConflictedDocuments.among(docs);
        if (conflicted.isEmpty()) {
            return 0;
        }
        int duplicates = 0;
        try {
            for (ConflictResolver.Written written : resolver.resolve(conflicted)) {
                if (written.resolved()) {
                    LOG.warn("Token {} had conflicting revisions (replicas or cluster nodes wrote it at once): {}{}",
                            written.resolution().id(), written.resolution().rule(),
                            written.resolution().duplicates() > 0 ? "; it ran " + written.resolution().duplicates()
                                    + " more time(s) than needed, recorded in its runs" : "");
                    duplicates += written.resolution().duplicates();
                } else {
                    LOG.debug("Token {} not resolved yet: {}", written.resolution().id(), written.problem());
                }
            }
            failures.succeeded("Resolving conflicting token revisions works again");
        } catch (RuntimeException e) {
            failures.failed("Cannot resolve the conflicting revisions of " + conflicted.size() + " tokens ("
                    + Failures.describe(e) + "); they are not claimed or reaped until resolved");
        }
        return duplicates;
    }
}
