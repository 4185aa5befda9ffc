package io.couchwork.changes;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
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
 * Follows _changes with longpoll and documents, from its checkpoint (a _local document), and hands each matching
 * document to the route, in parallel up to {@code concurrency}. The checkpoint only moves past changes whose exchanges
 * have all finished (the low watermark), so after a crash or restart every change since is seen again: at least once,
 * including changes made while Couchwork was down. Reconnects forever after errors and server restarts.
 */
public class ChangesConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ChangesConsumer.class);

    private final ChangesEndpoint endpoint;
    private final CouchDatabase database;
    private final Checkpoint checkpoint;
    private final LongpollFeed feed;
    private final Semaphore slots;
    private volatile boolean running;
    private Watermark watermark;
    private ExecutorService executor;
    private Thread feedThread;

    public ChangesConsumer(ChangesEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.database = endpoint.getComponent().database();
        this.checkpoint = new Checkpoint(database, endpoint.name());
        this.feed = new LongpollFeed(database);
        this.slots = new Semaphore(endpoint.getConcurrency() * 2);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newFixedThreadPool(this, "couchwork-changes-" + endpoint.name(), endpoint.getConcurrency());
        running = true;
        feedThread = new Thread(this::follow, "couchwork-feed-" + endpoint.name());
        feedThread.start();
    }

    private void follow() {
        String since = null;
        while (running) {
            try {
                if (watermark == null) {
                    Optional<String> saved = checkpoint.load();
                    since = saved.orElse(endpoint.startsAtBeginning() ? "0" : database.info().getUpdateSeq());
                    watermark = new Watermark(since);
                    LOG.info("Changes consumer {} follows {} from {}", endpoint.name(), database,
                            saved.isPresent() ? "its checkpoint" : endpoint.startsAtBeginning() ? "the beginning" : "now");
                }
                JsonNode result = feed.read(since, endpoint.getBatchSize());
                for (JsonNode change : result.path("results")) {
                    admit(change);
                }
                if (result.hasNonNull("last_seq")) {
                    since = result.get("last_seq").asText(); // opaque: only ever handed back
                }
                saveCheckpoint();
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                sleep(feed.failed(e, LOG, "Changes consumer " + endpoint.name() + " lost the feed of " + database, ""));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Hands a change to the route (or skips it) in feed order; waits while too many are in flight. */
    private void admit(JsonNode change) throws InterruptedException {
        String seq = change.path("seq").asText();
        JsonNode doc = change.path("doc");
        Object handle = watermark.admit(seq);
        if (!doc.isObject() || !endpoint.matches(doc)) {
            watermark.finish(handle);
            return;
        }
        slots.acquire();
        executor.execute(() -> {
            try {
                process(doc);
            } finally {
                watermark.finish(handle);
                slots.release();
            }
        });
    }

    private void process(JsonNode doc) {
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setBody(Json.text(doc));
            exchange.getMessage().setHeader(ChangesHeaders.DOC_ID, doc.path("_id").asText());
            exchange.getMessage().setHeader(ChangesHeaders.DOC_REV, doc.path("_rev").asText());
            exchange.getMessage().setHeader(ChangesHeaders.DOC_TYPE, doc.path("type").asText(null));
            exchange.getMessage().setHeader(ChangesHeaders.DOC_STATE, doc.path("state").asText(null));
            exchange.setProperty(ChangesHeaders.DOC_PROPERTY, doc);
            getProcessor().process(exchange);
            if (exchange.getException() != null) {
                // the route's error handling (dead letters) had its chance: the change counts as seen
                LOG.error("Change of {} failed in consumer {}: {}", doc.path("_id").asText(), endpoint.name(),
                        Failures.describe(exchange.getException()));
            }
        } catch (Exception e) {
            LOG.error("Change of {} failed in consumer {}: {}", doc.path("_id").asText(), endpoint.name(),
                    Failures.describe(e));
        } finally {
            releaseExchange(exchange, false);
        }
    }

    private void saveCheckpoint() {
        try {
            checkpoint.save(watermark.checkpoint());
        } catch (RuntimeException e) {
            LOG.warn("Cannot save the checkpoint of consumer {} ({}); will try again", endpoint.name(),
                    Failures.describe(e));
        }
    }

    private void sleep(Duration delay) {
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        feed.cancel();
        if (feedThread != null) {
            feedThread.interrupt();
            feedThread.join(10_000);
        }
        if (executor != null) {
            executor.shutdown();
            executor.awaitTermination(30, TimeUnit.SECONDS);
        }
        if (watermark != null) {
            saveCheckpoint();
        }
        super.doStop();
    }
}
