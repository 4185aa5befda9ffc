package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.WriteResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's presence in the pool's database: one small document per running worker ({@code couchwork_worker:<id>},
 * type {@value #TYPE}, no lock or done field, so no token view counts it), written at start, refreshed while the worker
 * runs and deleted when it stops. Workers that share a pool learn of each other from these before any of them has
 * claimed a token, so that they agree on their shares from the first claim (see {@link ClaimShares}). A worker that
 * died leaves its document behind until {@code alive_until} has passed; others then ignore it, and delete it some time
 * later.
 */
public final class WorkerPresence {

    /** The type of presence documents. */
    public static final String TYPE = "couchwork_worker";
    /** Every presence document's id starts with this. */
    public static final String ID_PREFIX = "couchwork_worker:";
    /** How long after its end a presence document is deleted by the others (its worker surely is gone). */
    static final Duration FORGET_AFTER = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPresence.class);

    /** A worker as its presence document announces it. */
    public record Announced(String workerId, List<String> types, long aliveUntilMillis, boolean withdrawn) {}

    private final CouchDatabase database;
    private final WorkerIdentity worker;
    private final List<String> types;
    private final Clock clock;
    private final Duration refresh;
    private String rev;
    private BooleanSupplier claimingPaused;

    /** {@code refresh}: how often {@link #announce} runs; the document promises life for twice that and 10 s more. */
    public WorkerPresence(CouchDatabase database, WorkerIdentity worker, List<String> types, Clock clock,
            Duration refresh) {
        this.database = database;
        this.worker = worker;
        this.types = List.copyOf(types);
        this.clock = clock;
        this.refresh = refresh;
    }

    /** From now on the document also says whether this worker has claiming paused ({@link ClaimingSwitch}). */
    public void reportClaimingPaused(BooleanSupplier paused) {
        this.claimingPaused = paused;
    }

    /**
     * How often the worker behind a presence document promised to refresh it (seconds), from its seen and alive_until
     * times as {@link #announce} writes them.
     */
    public static long refreshSeconds(JsonNode doc) {
        return Math.max(1, (doc.path("alive_until").asLong(0) - doc.path("seen").asLong(0) - 10) / 2);
    }

    public static boolean isPresence(JsonNode doc) {
        return doc.path("_id").asText("").startsWith(ID_PREFIX);
    }

    /** What a presence document (or its deletion stub, from the _changes feed) says. */
    public static Optional<Announced> read(JsonNode doc) {
        String id = doc.path("_id").asText("");
        if (!id.startsWith(ID_PREFIX)) {
            return Optional.empty();
        }
        String workerId = id.substring(ID_PREFIX.length());
        if (doc.path("_deleted").asBoolean(false)) {
            return Optional.of(new Announced(workerId, List.of(), 0, true));
        }
        List<String> types = new ArrayList<>();
        doc.path("types").forEach(type -> types.add(type.asText()));
        return Optional.of(new Announced(workerId, types, doc.path("alive_until").asLong(0) * 1000, false));
    }

    /** Writes (or refreshes) this worker's presence document. */
    public synchronized void announce() {
        long now = clock.instant().getEpochSecond();
        ObjectNode doc = Json.object();
        doc.put("_id", ID_PREFIX + worker.workerId());
        if (rev != null) {
            doc.put("_rev", rev);
        }
        doc.put(TokenFields.TYPE, TYPE);
        worker.stamp(doc);
        doc.set("types", Json.MAPPER.valueToTree(types));
        doc.put("seen", now);
        doc.put("alive_until", now + 2 * refresh.toSeconds() + 10);
        if (claimingPaused != null) {
            doc.put(ClaimingSwitch.PAUSED, claimingPaused.getAsBoolean());
        }
        WriteResult result = database.put(doc);
        if (!result.ok()) {
            // deleted by another worker that took us for dead (a long pause), or our last answer was lost
            doc.remove("_rev");
            database.get(doc.path("_id").asText()).ifPresent(current -> doc.put("_rev", current.path("_rev").asText()));
            result = database.put(doc);
        }
        rev = result.ok() ? result.rev() : null;
    }

    /** Deletes this worker's presence document (the worker stops); a failure only leaves it to expire. */
    public synchronized void withdraw() {
        if (rev == null) {
            return;
        }
        try {
            database.bulkWrite(List.of(CouchDatabase.tombstone(ID_PREFIX + worker.workerId(), rev)));
            rev = null;
        } catch (RuntimeException e) {
            LOG.debug("Cannot delete the presence of worker {} ({}); it expires", worker.workerId(), e.toString());
        }
    }

    /** Every presence document in the database, one request; documents long expired are deleted on the way. */
    public List<ObjectNode> readAll() {
        List<ObjectNode> docs = database.withIdPrefix(ID_PREFIX);
        List<ObjectNode> forgotten = new ArrayList<>();
        long forgetBefore = clock.instant().minus(FORGET_AFTER).getEpochSecond();
        for (ObjectNode doc : docs) {
            if (doc.path("alive_until").asLong(0) < forgetBefore) {
                forgotten.add(CouchDatabase.tombstone(doc.path("_id").asText(), doc.path("_rev").asText()));
            }
        }
        if (!forgotten.isEmpty()) {
            database.bulkWrite(forgotten); // a conflict means someone else did it, or the worker came back
        }
        return docs;
    }
}
