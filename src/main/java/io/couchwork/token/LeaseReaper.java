package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.ViewQuery;
import io.couchwork.couchdb.WriteResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Returns tokens whose lease expired (their worker died, hung or lost the server) to todo, counting the expiry in
 * {@code lease_expiries} and the run history, not as an attempt of the job (see {@link OutcomeApplier#leaseExpired});
 * attachments stay. Every worker runs one: MVCC makes sure each expired lease is reaped once.
 * Tokens locked by PiCaS pilots carry no lease; they are reaped only after {@code unleasedLockTimeoutSeconds} (0: never).
 */
public final class LeaseReaper {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseReaper.class);
    private static final int PAGE = 200;

    private final CouchDatabase database;
    private final List<String> types;
    private final OutcomeApplier applier;
    private final Clock clock;
    private final long unleasedLockTimeoutSeconds;
    private volatile java.util.function.Consumer<List<ObjectNode>> onConflicted = docs -> { };

    public LeaseReaper(CouchDatabase database, List<String> types, OutcomeApplier applier, Clock clock,
            long unleasedLockTimeoutSeconds) {
        this.database = database;
        this.types = List.copyOf(types);
        this.applier = applier;
        this.clock = clock;
        this.unleasedLockTimeoutSeconds = unleasedLockTimeoutSeconds;
    }

    /**
     * Hands tokens with conflicting revisions to {@code resolver} instead of reaping them: the expired lock CouchDB shows
     * may hide a finished revision, which a reap would bury under a todo one and run again.
     */
    public void onConflicted(java.util.function.Consumer<List<ObjectNode>> resolver) {
        this.onConflicted = resolver;
    }

    /**
     * Reaps expired leases of the types {@code due} accepts (those whose turn it is), skipping tokens this worker holds
     * itself; returns how many it returned to the pool.
     */
    public int reap(Predicate<String> heldHere, Predicate<String> due) {
        long now = clock.instant().getEpochSecond();
        int reaped = 0;
        for (String type : types) {
            if (!due.test(type)) {
                continue;
            }
            List<JsonNode> rows = new ArrayList<>(expiredRows(type, TokenViews.LEASED, now));
            if (unleasedLockTimeoutSeconds > 0) {
                rows.addAll(expiredRows(type, TokenViews.UNLEASED, now - unleasedLockTimeoutSeconds));
            }
            List<ObjectNode> writes = new ArrayList<>();
            Map<String, TokenState> nextStates = new HashMap<>();
            List<ObjectNode> conflicted = new ArrayList<>();
            for (JsonNode row : rows) {
                if (!row.path("doc").isObject() || heldHere.test(row.path("id").asText())) {
                    continue;
                }
                if (ConflictedDocuments.isConflicted(row.path("doc"))) {
                    conflicted.add((ObjectNode) row.get("doc"));
                    continue;
                }
                Token token = new Token((ObjectNode) row.get("doc"));
                if (isExpired(token, now)) {
                    Token next = applier.leaseExpired(token, now);
                    writes.add(next.document());
                    nextStates.put(next.id(), next.state());
                }
            }
            if (!conflicted.isEmpty()) {
                onConflicted.accept(conflicted);
            }
            for (WriteResult result : database.bulkWrite(writes)) {
                if (result.ok()) {
                    reaped++;
                    if (nextStates.get(result.id()) == TokenState.ERROR) {
                        LOG.warn("Lease of token {} expired once too often (couchwork.pool.max-lease-expiries): it is"
                                + " now in the error state", result.id());
                    } else {
                        LOG.warn("Lease of token {} expired; returned it to the pool", result.id());
                    }
                }
            }
        }
        return reaped;
    }

    private List<JsonNode> expiredRows(String type, String kind, long before) {
        return database.view(TokenViews.QUEUE_DESIGN, TokenViews.QUEUE,
                ViewQuery.range(List.of(type, kind, 0), List.of(type, kind, before)).limit(PAGE).withDocsAndConflicts());
    }

    /** Checked on the document itself, not the view row. */
    private boolean isExpired(Token token, long now) {
        if (token.state() != TokenState.LOCKED) {
            return false;
        }
        if (ClaimOwnership.isCouchworkLease(token)) {
            return token.leaseUntil() < now;
        }
        // a PiCaS pilot's lock, also one written over the lease fields a Couchwork claim left (PiCaS re-locks a token
        // it saw in a stale view row without touching them): not a lease of ours to reap
        return unleasedLockTimeoutSeconds > 0 && token.lock() + unleasedLockTimeoutSeconds < now;
    }

}
