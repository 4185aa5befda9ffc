package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.OptimisticUpdate;
import io.couchwork.couchdb.OptimisticUpdate.Decision;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses and resumes claiming for every worker on a pool, through one control document in the pool's database
 * ({@value #ID}, type {@value #TYPE}: no token set uses it, and without lock or done no token view counts it). A worker
 * reads it at start and again after a gap in its changes feed, and takes every later change from the feed; while it is
 * paused the worker claims nothing, and keeps running, renewing and finishing the tokens it holds.
 */
public final class ClaimingSwitch {

    public static final String ID = "couchwork-control";
    public static final String TYPE = "couchwork-control";
    public static final String PAUSED = "claiming_paused";
    public static final String PAUSED_BY = "paused_by";
    public static final String PAUSED_AT = "paused_at";
    public static final String RESUMED_BY = "resumed_by";
    public static final String RESUMED_AT = "resumed_at";
    private static final Logger LOG = LoggerFactory.getLogger(ClaimingSwitch.class);

    /** What the control document says: paused or not, and by whom since when (epoch seconds) when paused. */
    public record State(boolean paused, String pausedBy, Long pausedAt) {

        static final State CLAIMING = new State(false, null, null);

        static State of(JsonNode doc) {
            if (doc == null || doc.path("_deleted").asBoolean(false) || !doc.path(PAUSED).asBoolean(false)) {
                return CLAIMING;
            }
            return new State(true, doc.path(PAUSED_BY).asText(null),
                    doc.path(PAUSED_AT).isNumber() ? doc.path(PAUSED_AT).asLong() : null);
        }
    }

    private final CouchDatabase database;
    private volatile State state = State.CLAIMING;

    public ClaimingSwitch(CouchDatabase database) {
        this.database = database;
    }

    /** The pool's claiming state as the database holds it now (not paused when there is no control document). */
    public static State read(CouchDatabase database) {
        return State.of(database.get(ID).orElse(null));
    }

    /**
     * Pauses ({@code paused} true) or resumes claiming for every worker on the pool; true when the document changed
     * (false: it was so already).
     */
    public static boolean set(CouchDatabase database, boolean paused, String by, Clock clock) {
        return new OptimisticUpdate(database).update(ID, current -> {
            if (State.of(current.orElse(null)).paused() == paused) {
                return Decision.keep(false);
            }
            ObjectNode next = current.map(ObjectNode::deepCopy).orElseGet(Json::object);
            next.put("_id", ID);
            next.put(TokenFields.TYPE, TYPE);
            next.put(PAUSED, paused);
            next.put(paused ? PAUSED_BY : RESUMED_BY, by);
            next.put(paused ? PAUSED_AT : RESUMED_AT, clock.instant().getEpochSecond());
            return Decision.write(next, true);
        });
    }

    public boolean paused() {
        return state.paused();
    }

    /**
     * Reads the control document; true when it switched claiming. A failure keeps the last state known (the feed or
     * the next read tells).
     */
    public boolean refresh() {
        try {
            return change(read(database));
        } catch (RuntimeException e) {
            LOG.debug("Cannot read {} ({}); claiming stays {}", ID, Failures.describe(e),
                    paused() ? "paused" : "on");
            return false;
        }
    }

    /** Changed documents from the feed; true when the control document among them switched claiming. */
    public boolean observe(List<ObjectNode> docs) {
        boolean switched = false;
        for (ObjectNode doc : docs) {
            if (ID.equals(doc.path("_id").asText())) {
                switched |= change(State.of(doc));
            }
        }
        return switched;
    }

    private boolean change(State next) {
        State previous = state;
        state = next;
        if (previous.paused() == next.paused()) {
            return false;
        }
        if (next.paused()) {
            LOG.info("Claiming paused{}: running jobs go on, no new token is claimed until it is resumed",
                    Optional.ofNullable(next.pausedBy()).map(by -> " by " + by).orElse(""));
        } else {
            LOG.info("Claiming resumed");
        }
        return true;
    }
}
