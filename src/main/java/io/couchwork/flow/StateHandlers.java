package io.couchwork.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.changes.ChangesHeaders;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.token.WorkerIdentity;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps a state-handler route is made of, as a bean: {@code claim} (run-once handlers: an MVCC write with an
 * expiring lease before the side effect) and {@code advance} (save the handler's result as the next state, merging it
 * onto the latest revision after a conflict while the document is still in the state the handler ran for).
 */
public class StateHandlers {

    private static final Logger LOG = LoggerFactory.getLogger(StateHandlers.class);
    private static final int MAX_ATTEMPTS = 5;
    static final String CLAIM_ID_PROPERTY = "CouchworkHandlerClaimId";

    private final CouchDatabase database;
    private final Clock clock;
    private final WorkerIdentity worker;
    private final long leaseSeconds;
    private final CrashPolicy crashPolicy;

    public StateHandlers(CouchDatabase database, Clock clock, WorkerIdentity worker, long leaseSeconds,
            CrashPolicy crashPolicy) {
        this.database = database;
        this.clock = clock;
        this.worker = worker;
        this.leaseSeconds = leaseSeconds;
        this.crashPolicy = crashPolicy;
    }

    /**
     * Claims the document for a run-once handler of its current state. When another worker holds the claim, or the
     * document has moved on, the exchange stops here: the side effect after this step runs once.
     */
    public void claim(Exchange exchange) {
        ObjectNode doc = document(exchange);
        String state = doc.path("state").asText(null);
        exchange.getMessage().setHeader(FlowHeaders.FROM_STATE, state);
        // one claim id per exchange, kept across redeliveries: a claim whose answer was lost is recognised as ours
        String claimId = exchange.getProperty(CLAIM_ID_PROPERTY, String.class);
        if (claimId == null) {
            claimId = UUID.randomUUID().toString();
            exchange.setProperty(CLAIM_ID_PROPERTY, claimId);
        }
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            long now = clock.instant().getEpochSecond();
            HandlerLease lease = HandlerLease.of(doc);
            if (lease != null && claimId.equals(lease.claimId()) && state != null && state.equals(lease.state())) {
                setDocument(exchange, doc); // our own claim, written by an attempt whose answer never came
                return;
            }
            if (lease != null && state != null && state.equals(lease.state())) {
                if (lease.heldAt(now)) {
                    stop(exchange, doc, "claimed by " + lease.owner() + " until " + lease.until());
                    return;
                }
                if (crashPolicy == CrashPolicy.PARK) {
                    throw new HandlerCrashedException("the run-once handler of " + lease.owner() + " for state '"
                            + state + "' never finished (its lease ended at " + lease.until() + "); parked so that its"
                            + " side effect does not happen twice");
                }
                LOG.warn("Re-running the handler of {} in state {}: {} never finished", doc.path("_id").asText(),
                        state, lease.owner());
            }
            ObjectNode claimed = doc.deepCopy();
            claimed.set(HandlerLease.FIELD, new HandlerLease(worker.workerId(), state, now + leaseSeconds, claimId)
                    .toJson());
            WriteResult result;
            try {
                result = database.put(claimed);
            } catch (RuntimeException answerLost) {
                Optional<ObjectNode> latest = database.get(doc.path("_id").asText());
                HandlerLease written = latest.map(HandlerLease::of).orElse(null);
                if (written != null && claimId.equals(written.claimId())) {
                    setDocument(exchange, latest.get());
                    return;
                }
                throw answerLost;
            }
            if (result.ok()) {
                claimed.put("_rev", result.rev());
                setDocument(exchange, claimed);
                return;
            }
            Optional<ObjectNode> latest = database.get(doc.path("_id").asText());
            if (latest.isEmpty() || !state.equals(latest.get().path("state").asText(null))) {
                stop(exchange, doc, "it moved on to state " + latest.map(d -> d.path("state").asText()).orElse("deleted"));
                return;
            }
            doc = latest.get();
        }
        throw new AdvanceConflictException("could not claim " + doc.path("_id").asText() + ": it kept changing");
    }

    /**
     * Saves the handler's result: the body's fields (a JSON object or map, if any) are merged into the document and
     * its state becomes the {@code CouchworkNextState} header. On a conflict the latest revision is read; while it is
     * still in the state the handler ran for, the result is merged onto it again; if it moved on, the result is
     * dropped with a warning.
     */
    public void advance(Exchange exchange) {
        ObjectNode doc = document(exchange);
        String nextState = exchange.getMessage().getHeader(FlowHeaders.NEXT_STATE, String.class);
        if (nextState == null || nextState.isBlank()) {
            throw new IllegalArgumentException("advance needs the " + FlowHeaders.NEXT_STATE + " header");
        }
        String fromState = exchange.getMessage().getHeader(FlowHeaders.FROM_STATE, doc.path("state").asText(null),
                String.class);
        ObjectNode changes = fieldChanges(exchange);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            ObjectNode next = doc.deepCopy();
            changes.fields().forEachRemaining(field -> next.set(field.getKey(), field.getValue()));
            next.put("state", nextState);
            next.remove(HandlerLease.FIELD);
            WriteResult result = database.put(next);
            if (result.ok()) {
                next.put("_rev", result.rev());
                setDocument(exchange, next);
                return;
            }
            Optional<ObjectNode> latest = database.get(doc.path("_id").asText());
            if (latest.isEmpty()) {
                LOG.warn("Dropped the result of {} ({} -> {}): the document was deleted", doc.path("_id").asText(),
                        fromState, nextState);
                exchange.setRouteStop(true);
                return;
            }
            String latestState = latest.get().path("state").asText(null);
            if (nextState.equals(latestState) && alreadySaved(latest.get(), changes)) {
                setDocument(exchange, latest.get()); // our own save, written by an attempt whose answer never came
                return;
            }
            if (fromState != null && !fromState.equals(latestState)) {
                LOG.warn("Dropped the result of {} ({} -> {}): it moved on to {} meanwhile", doc.path("_id").asText(),
                        fromState, nextState, latestState);
                exchange.setRouteStop(true);
                return;
            }
            doc = latest.get();
        }
        throw new AdvanceConflictException("could not save " + doc.path("_id").asText() + " as '" + nextState
                + "' after " + MAX_ATTEMPTS + " conflicts");
    }

    /** The document already holds every field this save would write (and its state): the save went through. */
    private static boolean alreadySaved(ObjectNode latest, ObjectNode changes) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = changes.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().equals(latest.get(field.getKey()))) {
                return false;
            }
        }
        return !latest.has(HandlerLease.FIELD);
    }

    private static ObjectNode fieldChanges(Exchange exchange) {
        // a handler whose body went elsewhere (an e-mail, say) leaves its changes in this property
        Object body = exchange.getProperty(DeviceRegistration.CHANGES) != null
                ? exchange.getProperty(DeviceRegistration.CHANGES) : exchange.getMessage().getBody();
        if (body == null) {
            return Json.object();
        }
        JsonNode tree;
        if (body instanceof JsonNode node) {
            tree = node;
        } else if (body instanceof Map<?, ?> map) {
            tree = Json.MAPPER.valueToTree(map);
        } else {
            try {
                tree = Json.MAPPER.readTree(exchange.getMessage().getBody(String.class));
            } catch (Exception notJson) {
                return Json.object();
            }
        }
        if (!(tree instanceof ObjectNode object)) {
            return Json.object();
        }
        ObjectNode changes = object.deepCopy();
        for (Iterator<String> names = changes.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.startsWith("_") || name.equals("state") || name.equals("type")) {
                names.remove(); // identity, revision and state are the engine's
            }
        }
        return changes;
    }

    private static void stop(Exchange exchange, JsonNode doc, String why) {
        LOG.debug("Skipping {}: {}", doc.path("_id").asText(), why);
        exchange.setRouteStop(true);
    }

    static ObjectNode document(Exchange exchange) {
        ObjectNode doc = exchange.getProperty(ChangesHeaders.DOC_PROPERTY, ObjectNode.class);
        if (doc == null) {
            throw new IllegalArgumentException("no document in the exchange: use this step after a changes: consumer");
        }
        return doc;
    }

    private static void setDocument(Exchange exchange, ObjectNode doc) {
        exchange.setProperty(ChangesHeaders.DOC_PROPERTY, doc);
        exchange.getMessage().setHeader(ChangesHeaders.DOC_REV, doc.path("_rev").asText());
    }
}
