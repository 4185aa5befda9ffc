package io.couchwork.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.camel.ChangesHeaders;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.DocumentKeptChangingException;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.OptimisticUpdate;
import io.couchwork.couchdb.OptimisticUpdate.Decision;
import io.couchwork.token.WorkerIdentity;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps a state-handler route is made of, as a bean: {@code claim} (run-once handlers: an MVCC write with an
 * expiring lease before the side effect) and {@code advance} (save the handler's result as the next state, merging it
 * onto the latest revision after a conflict while the document is still in the state the handler ran for), checked
 * against the transitions the document's flow declares.
 */
public class StateHandlers {

    private static final Logger LOG = LoggerFactory.getLogger(StateHandlers.class);

    private final CouchDatabase database;
    private final OptimisticUpdate updates;
    private final Clock clock;
    private final WorkerIdentity worker;
    private final long leaseSeconds;
    private final CrashPolicy crashPolicy;
    private final FlowDefinitions flows;

    public StateHandlers(CouchDatabase database, Clock clock, WorkerIdentity worker, long leaseSeconds,
            CrashPolicy crashPolicy) {
        this(database, clock, worker, leaseSeconds, crashPolicy, FlowDefinitions.none());
    }

    public StateHandlers(CouchDatabase database, Clock clock, WorkerIdentity worker, long leaseSeconds,
            CrashPolicy crashPolicy, FlowDefinitions flows) {
        this.flows = flows;
        this.database = database;
        this.updates = new OptimisticUpdate(database);
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
        String id = doc.path("_id").asText();
        String state = doc.path("state").asText(null);
        exchange.getMessage().setHeader(FlowHeaders.FROM_STATE, state);
        // one claim id per exchange, kept across redeliveries: a claim whose answer was lost is recognised as ours
        String claimId = exchange.getProperty(FlowHeaders.CLAIM_ID_PROPERTY, String.class);
        if (claimId == null) {
            claimId = UUID.randomUUID().toString();
            exchange.setProperty(FlowHeaders.CLAIM_ID_PROPERTY, claimId);
        }
        String ourClaim = claimId;
        Optional<ObjectNode> claimed;
        try {
            claimed = updates.update(doc, latest -> claimOf(latest, id, state, ourClaim));
        } catch (DocumentKeptChangingException e) {
            throw new AdvanceConflictException("could not claim " + id + ": it kept changing");
        } catch (HandlerCrashedException e) {
            throw e;
        } catch (RuntimeException answerLost) {
            // the claim may have been written with its answer lost: then the lease in the document is ours
            Optional<ObjectNode> latest = database.get(id);
            HandlerLease written = latest.map(HandlerLease::of).orElse(null);
            if (written != null && ourClaim.equals(written.claimId())) {
                setDocument(exchange, latest.get());
                return;
            }
            throw answerLost;
        }
        claimed.ifPresentOrElse(d -> setDocument(exchange, d), () -> exchange.setRouteStop(true));
    }

    /** The claim of the document as read, for a handler of {@code state}: the document to go on with, or none. */
    private Decision<Optional<ObjectNode>> claimOf(Optional<ObjectNode> latest, String id, String state,
            String claimId) {
        if (latest.isEmpty() || !Objects.equals(state, latest.get().path("state").asText(null))) {
            return skip(id, "it moved on to state " + latest.map(d -> d.path("state").asText()).orElse("deleted"));
        }
        ObjectNode doc = latest.get();
        long now = clock.instant().getEpochSecond();
        HandlerLease lease = HandlerLease.of(doc);
        if (lease != null && claimId.equals(lease.claimId()) && state != null && state.equals(lease.state())) {
            return Decision.keep(latest); // our own claim, written by an attempt whose answer never came
        }
        if (lease != null && state != null && state.equals(lease.state())) {
            if (lease.heldAt(now)) {
                return skip(id, "claimed by " + lease.owner() + " until " + lease.until());
            }
            if (crashPolicy == CrashPolicy.PARK) {
                throw new HandlerCrashedException("the run-once handler of " + lease.owner() + " for state '"
                        + state + "' never finished (its lease ended at " + lease.until() + "); parked so that its"
                        + " side effect does not happen twice");
            }
            LOG.warn("Re-running the handler of {} in state {}: {} never finished", id, state, lease.owner());
        }
        ObjectNode claimed = doc.deepCopy();
        claimed.set(HandlerLease.FIELD, new HandlerLease(worker.workerId(), state, now + leaseSeconds, claimId)
                .toJson());
        return Decision.write(claimed, Optional.of(claimed));
    }

    /**
     * Saves the handler's result: the body's fields (a JSON object or map, if any) are merged into the document and
     * its state becomes the {@code CouchworkNextState} header. On a conflict the latest revision is read; while it is
     * still in the state the handler ran for, the result is merged onto it again; if it moved on, the result is
     * dropped with a warning. A transition the document's flow does not declare throws
     * {@link DisallowedTransitionException} before anything is written (a type no flow declares is not checked).
     */
    public void advance(Exchange exchange) {
        ObjectNode doc = document(exchange);
        String id = doc.path("_id").asText();
        String nextState = exchange.getMessage().getHeader(FlowHeaders.NEXT_STATE, String.class);
        if (nextState == null || nextState.isBlank()) {
            throw new IllegalArgumentException("advance needs the " + FlowHeaders.NEXT_STATE + " header");
        }
        String fromState = exchange.getMessage().getHeader(FlowHeaders.FROM_STATE, doc.path("state").asText(null),
                String.class);
        String type = doc.path("type").asText(null);
        flows.forType(type).filter(flow -> !flow.allows(fromState, nextState)).ifPresent(flow -> {
            throw new DisallowedTransitionException(flow, fromState, nextState);
        });
        HandlerResult result = new HandlerResult(id, doc.path("_rev").asText(""), fromState, nextState,
                fieldChanges(exchange));
        Optional<ObjectNode> saved;
        try {
            saved = updates.update(doc, result::saveOnto);
        } catch (DocumentKeptChangingException e) {
            throw new AdvanceConflictException("could not save " + id + " as '" + nextState + "' after " + e.writes()
                    + " conflicts");
        }
        saved.ifPresentOrElse(d -> setDocument(exchange, d), () -> exchange.setRouteStop(true));
    }

    /** A handler's result for a document: the revision it handled, the state it moves it from and to, its fields. */
    private record HandlerResult(String id, String handledRev, String fromState, String nextState, ObjectNode changes) {

        /** The save of this result onto the document as read: the document to go on with, or none (dropped). */
        Decision<Optional<ObjectNode>> saveOnto(Optional<ObjectNode> latest) {
            // the revision the handler ran on is saved onto as it is; a newer one is checked first
            if (latest.isEmpty() || !latest.get().path("_rev").asText("").equals(handledRev)) {
                if (latest.isEmpty()) {
                    LOG.warn("Dropped the result of {} ({} -> {}): the document was deleted", id, fromState, nextState);
                    return Decision.keep(Optional.empty());
                }
                String latestState = latest.get().path("state").asText(null);
                if (nextState.equals(latestState) && alreadySaved(latest.get(), changes)) {
                    return Decision.keep(latest); // our own save, written by an attempt whose answer never came
                }
                if (fromState != null && !fromState.equals(latestState)) {
                    LOG.warn("Dropped the result of {} ({} -> {}): it moved on to {} meanwhile", id, fromState,
                            nextState, latestState);
                    return Decision.keep(Optional.empty());
                }
            }
            ObjectNode next = latest.get().deepCopy();
            changes.fields().forEachRemaining(field -> next.set(field.getKey(), field.getValue()));
            next.put("state", nextState);
            next.remove(HandlerLease.FIELD);
            return Decision.write(next, Optional.of(next));
        }
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
        Object body = exchange.getProperty(FlowHeaders.CHANGES_PROPERTY) != null
                ? exchange.getProperty(FlowHeaders.CHANGES_PROPERTY) : exchange.getMessage().getBody();
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

    /** No claim: the exchange stops, as the document is not this handler's to run (any more). */
    private static Decision<Optional<ObjectNode>> skip(String id, String why) {
        LOG.debug("Skipping {}: {}", id, why);
        return Decision.keep(Optional.empty());
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
