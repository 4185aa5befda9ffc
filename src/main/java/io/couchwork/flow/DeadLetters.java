package io.couchwork.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.camel.ChangesHeaders;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.DocumentKeptChangingException;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.OptimisticUpdate;
import io.couchwork.couchdb.OptimisticUpdate.Decision;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.util.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter store: a {@code dead_letter} document per failure that exhausted its retries (document id,
 * revision, route, cause, attempts, time), and the failed document marked (state {@code dead_letter}) so that it
 * leaves its flow until re-queued.
 */
public class DeadLetters {

    public static final String STATE = "dead_letter";
    public static final String ID_PREFIX = "dead_letter_";
    static final String MARKER = "dead_letter";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final Backoff RETRY = Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(30));

    private final CouchDatabase database;
    private final Clock clock;

    public DeadLetters(CouchDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** The dead-letter channel's endpoint: records the failed exchange and parks its document. */
    public void record(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ObjectNode doc = exchange.getProperty(ChangesHeaders.DOC_PROPERTY, ObjectNode.class);
        String docId = doc != null ? doc.path("_id").asText() : exchange.getMessage().getHeader(ChangesHeaders.DOC_ID,
                String.class);
        ObjectNode letter = Json.object();
        letter.put("_id", ID_PREFIX + clock.millis() + "_" + UUID.randomUUID().toString().substring(0, 8));
        letter.put("type", "dead_letter");
        letter.put("doc_id", docId);
        letter.put("doc_rev", doc != null ? doc.path("_rev").asText(null) : null);
        letter.put("doc_type", doc != null ? doc.path("type").asText(null) : null);
        letter.put("state", doc != null ? doc.path("state").asText(null) : null);
        letter.put("route", exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class));
        letter.put("cause", cause == null ? "unknown" : Failures.describe(cause));
        letter.put("exception", cause == null ? null : cause.getClass().getName());
        letter.put("attempts", 1 + exchange.getProperty(FlowHeaders.REDELIVERIES_PROPERTY, 0, Integer.class));
        letter.put("time", clock.instant().getEpochSecond());
        // its id is its own: a conflict can only be an earlier attempt of ours whose answer was lost
        WriteResult written = untilServerAnswers(exchange, () -> database.put(letter));
        if (!written.ok() && !written.conflict()) {
            throw new IllegalStateException("cannot write dead letter for " + docId + ": " + written.error());
        }
        LOG.warn("Dead letter {} for {} in state {} from route {}: {}", letter.path("_id").asText(), docId,
                letter.path("state").asText(), letter.path("route").asText(), letter.path("cause").asText());
        if (docId != null) {
            untilServerAnswers(exchange, () -> {
                park(docId, letter);
                return null;
            });
        }
    }

    /**
     * Runs {@code write} until the server answers it: a dead letter is the record of a failure, and a server that is
     * down or failing must not lose it. Gives up (rethrows) when the app stops meanwhile.
     */
    private <T> T untilServerAnswers(Exchange exchange, Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (RuntimeException e) {
                if (!Failures.isServerFault(e) || exchange.getContext().isStopping()) {
                    throw e;
                }
                Duration delay = RETRY.delay(attempt, ThreadLocalRandom.current());
                if (attempt == 1 || attempt % 10 == 0) {
                    LOG.warn("Cannot write a dead letter ({}); trying again in {} ms", Failures.describe(e),
                            delay.toMillis());
                }
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The error handler's onRedelivery processor: counts attempts, which the dead letter records. */
    public static Processor countRedelivery() {
        return exchange -> exchange.setProperty(FlowHeaders.REDELIVERIES_PROPERTY,
                exchange.getProperty(FlowHeaders.REDELIVERIES_PROPERTY, 0, Integer.class) + 1);
    }

    /** Dead letters, oldest first (their ids sort by time). */
    public List<JsonNode> list() {
        List<JsonNode> letters = new ArrayList<>();
        for (ObjectNode doc : database.withIdPrefix(ID_PREFIX)) {
            if (!doc.has("requeued")) {
                letters.add(doc);
            }
        }
        return letters;
    }

    /** Puts the parked document back in the state it failed in, so its flow handles it again; true when it did. */
    public boolean requeue(String deadLetterId) {
        Optional<ObjectNode> letter = database.get(deadLetterId);
        if (letter.isEmpty()) {
            return false;
        }
        Optional<ObjectNode> doc = database.get(letter.get().path("doc_id").asText());
        if (doc.isPresent() && deadLetterId.equals(doc.get().path(MARKER).path("id").asText(null))) {
            ObjectNode restored = doc.get().deepCopy();
            restored.put("state", doc.get().path(MARKER).path("previous_state").asText());
            restored.remove(MARKER);
            restored.remove(HandlerLease.FIELD);
            if (!database.put(restored).ok()) {
                return false;
            }
        }
        ObjectNode done = letter.get().deepCopy();
        done.put("requeued", clock.instant().getEpochSecond());
        return database.put(done).ok();
    }

    /** {@code doc} parked for the dead letter {@code letterId}: out of its flow until re-queued to its state. */
    public static ObjectNode parked(ObjectNode doc, String letterId) {
        ObjectNode parked = doc.deepCopy();
        ObjectNode marker = parked.putObject(MARKER);
        marker.put("id", letterId);
        marker.put("previous_state", doc.path("state").asText());
        parked.put("state", STATE);
        parked.remove(HandlerLease.FIELD);
        return parked;
    }

    private void park(String docId, ObjectNode letter) {
        String failedState = letter.path("state").asText();
        try {
            new OptimisticUpdate(database).update(docId, latest -> {
                if (latest.isEmpty() || !latest.get().path("state").asText("").equals(failedState)) {
                    return Decision.keep(false); // deleted or moved on: nothing to park
                }
                return Decision.write(parked(latest.get(), letter.path("_id").asText()), true);
            });
        } catch (DocumentKeptChangingException e) {
            LOG.warn("Could not mark {} as a dead letter: it kept changing", docId);
        }
    }
}
