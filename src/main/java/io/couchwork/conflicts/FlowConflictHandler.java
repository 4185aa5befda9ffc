package io.couchwork.conflicts;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.changes.ConflictedChanges;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.token.ConflictedDocuments;
import io.couchwork.util.ThrottledWarning;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code changes:} flow's hand on documents with conflicting revisions (replicas or cluster nodes that took writes at
 * once): before a handler runs on the revision CouchDB happens to show, the conflict is resolved by the rules every
 * worker shares (the state furthest along the flow wins, else a dead letter), so that no handler runs again for a
 * state another replica already left behind.
 */
public final class FlowConflictHandler implements ConflictedChanges {

    private static final Logger LOG = LoggerFactory.getLogger(FlowConflictHandler.class);

    private final ConflictResolver resolver;
    private final ThrottledWarning failures;

    public FlowConflictHandler(CouchDatabase database, FlowDefinitions flows, Clock clock) {
        this.resolver = new ConflictResolver(database, flows, clock);
        this.failures = new ThrottledWarning(LOG, Duration.ofMinutes(1), clock);
    }

    /**
     * Resolves {@code doc} (read with conflicts=true) when it has conflicting revisions; false when no rule applies or
     * the server failed: the flow then handles the revision shown, as CouchDB shows it.
     */
    @Override
    public synchronized boolean resolved(JsonNode doc) {
        if (!ConflictedDocuments.isConflicted(doc)) {
            return false;
        }
        String id = doc.path("_id").asText();
        try {
            List<ConflictResolver.Plan> plans = resolver.plan(List.of(doc));
            if (plans.isEmpty()) {
                return true; // its other leaves are gone: another worker resolved it
            }
            ConflictResolver.Plan plan = plans.get(0);
            if (plan.resolution().isEmpty()) {
                return handledAsShown("Document " + id + " has conflicting revisions no rule resolves (" + plan.note()
                        + ")");
            }
            ConflictResolver.Written written = resolver.write(List.of(plan.resolution().get())).get(0);
            if (!written.resolved() && written.changedMeanwhile()) {
                LOG.debug("Document {} not resolved here: {}", id, written.problem());
                return true; // by a resolver elsewhere or a handler: its change follows in the feed
            }
            if (!written.resolved()) {
                return handledAsShown("Cannot resolve the conflicting revisions of " + id + " (" + written.problem()
                        + ")");
            }
            LOG.warn("Document {} ({}) had conflicting revisions (replicas or cluster nodes wrote it at once): {}", id,
                    plan.kind(), written.resolution().rule());
            failures.succeeded("Resolving conflicting revisions of flow documents works again");
            return true;
        } catch (RuntimeException e) {
            return handledAsShown("Cannot resolve the conflicting revisions of " + id + " (" + Failures.describe(e)
                    + ")");
        }
    }

    private boolean handledAsShown(String problem) {
        failures.failed(problem + "; its flow handles the revision CouchDB shows");
        return false;
    }
}
