package io.couchwork.camel;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.changes.ChangesFeed;
import io.couchwork.changes.ChangesFollower;
import io.couchwork.changes.ConflictedChanges;
import io.couchwork.changes.Checkpoint;
import io.couchwork.changes.LongpollFeed;
import io.couchwork.changes.Watermark;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
import io.couchwork.token.ConflictedDocuments;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows _changes by longpoll from its checkpoint, a _local document (a {@link ChangesFollower}, as the token worker
 * does; longpoll because a flow has no view to fall back on, and a proxy that holds a streamed answer back would starve
 * it), and hands each matching document to the route, in parallel up to {@code concurrency}. The checkpoint only moves
 * past changes whose exchanges have all finished (the low watermark), so after a crash or restart every change since
 * is seen again: at least once, including changes made while Couchwork was down. A document with conflicting revisions
 * (replicas, a cluster) is resolved before its flow sees it: see {@link ConflictedChanges}.
 */
public class ChangesConsumer extends DefaultConsumer implements ChangesFollower.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(ChangesConsumer.class);

    private final ChangesEndpoint endpoint;
    private final CouchDatabase database;
    private final Checkpoint checkpoint;
    private final Semaphore slots;
    private volatile Watermark watermark;
    private ExecutorService executor;
    private ChangesFollower follower;

    public ChangesConsumer(ChangesEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.database = endpoint.getComponent().database();
        this.checkpoint = new Checkpoint(database, endpoint.name());
        this.slots = new Semaphore(endpoint.getConcurrency() * 2);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newFixedThreadPool(this, "couchwork-changes-" + endpoint.name(), endpoint.getConcurrency());
        follower = new ChangesFollower(database, new LongpollFeed(database, true), this, endpoint.getBatchSize(),
                endpoint.name());
        follower.start(null);
    }

    /** The checkpoint, else the beginning or now; read again for a database that was deleted and created anew. */
    @Override
    public String startingPoint() {
        Optional<String> saved = checkpoint.load();
        String since = saved.orElse(endpoint.startsAtBeginning() ? "0" : database.info().getUpdateSeq());
        watermark = new Watermark(since);
        LOG.info("Changes consumer {} follows {} from {}", endpoint.name(), database,
                saved.isPresent() ? "its checkpoint" : endpoint.startsAtBeginning() ? "the beginning" : "now");
        return since;
    }

    @Override
    public void onChanges(ChangesFeed.Batch batch) throws InterruptedException {
        for (ChangesFeed.Change change : batch.changes()) {
            admit(change);
        }
        saveCheckpoint();
    }

    /** Hands a change to the route (or skips it) in feed order; waits while too many are in flight. */
    private void admit(ChangesFeed.Change change) throws InterruptedException {
        Watermark mark = watermark; // an exchange finishes in the watermark it was admitted to
        Object handle = mark.admit(change.seq());
        JsonNode doc = change.doc();
        if (doc != null && endpoint.matchesType(doc) && ConflictedDocuments.isConflicted(doc)
                && endpoint.getComponent().conflicts().resolved(doc)) {
            mark.finish(handle); // the resolving write comes through the feed: the flow handles that revision
            return;
        }
        if (doc == null || !endpoint.matches(doc)) {
            mark.finish(handle);
            return;
        }
        slots.acquire();
        executor.execute(() -> {
            boolean settled = false;
            try {
                settled = handle(doc);
            } finally {
                if (settled) { // else the change holds the checkpoint back: seen again after a restart
                    mark.finish(handle);
                }
                slots.release();
            }
        });
    }

    /**
     * Runs the route for a document; true when its change is settled: handled, recorded as a dead letter by the
     * route's error handling, or failed for a reason of the document's own (logged). A failure the server caused that
     * left no dead letter either (the server failed to the end, or the app is stopping) settles nothing: the change
     * holds the checkpoint back, to be seen again from there after a restart.
     */
    private boolean handle(JsonNode doc) {
        Exception failure = process(doc);
        if (failure == null) {
            return true;
        }
        boolean serverFault = Failures.isServerFault(failure);
        LOG.error("Change of {} failed in consumer {}: {}{}", doc.path("_id").asText(), endpoint.name(),
                Failures.describe(failure), serverFault ? "; neither handled nor recorded as a dead letter, it is seen"
                        + " again after a restart (the checkpoint stays before it)" : "");
        return !serverFault;
    }

    /** One run of the route; the failure its error handling left (null when handled or recorded as a dead letter). */
    private Exception process(JsonNode doc) {
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setBody(Json.text(doc));
            exchange.getMessage().setHeader(ChangesHeaders.DOC_ID, doc.path("_id").asText());
            exchange.getMessage().setHeader(ChangesHeaders.DOC_REV, doc.path("_rev").asText());
            exchange.getMessage().setHeader(ChangesHeaders.DOC_TYPE, doc.path("type").asText(null));
            exchange.getMessage().setHeader(ChangesHeaders.DOC_STATE, doc.path("state").asText(null));
            exchange.setProperty(ChangesHeaders.DOC_PROPERTY, doc);
            getProcessor().process(exchange);
            return exchange.getException();
        } catch (Exception e) {
            return e;
        } finally {
            releaseExchange(exchange, false);
        }
    }

    private void saveCheckpoint() {
        Watermark mark = watermark;
        if (mark == null) {
            return;
        }
        try {
            checkpoint.save(mark.checkpoint());
        } catch (RuntimeException e) {
            LOG.warn("Cannot save the checkpoint of consumer {} ({}); will try again", endpoint.name(),
                    Failures.describe(e));
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (follower != null) {
            follower.stop();
            follower.join(Duration.ofSeconds(10));
        }
        if (executor != null) {
            executor.shutdown();
            executor.awaitTermination(30, TimeUnit.SECONDS);
        }
        saveCheckpoint();
        super.doStop();
    }
}
