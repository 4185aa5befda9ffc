package io.couchwork.camel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ibm.cloud.cloudant.v1.model.PostChangesOptions;
import com.ibm.cloud.sdk.core.http.ServiceCall;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import io.couchwork.util.Backoff;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the database's _changes feed (longpoll from now, with documents) and hands each batch of changed documents
 * to {@code onChange}, so idle workers wake at once instead of polling; an empty batch means "look again" (after an
 * error the feed may have missed changes). While the worker is busy the feed is paused (finished jobs wake it then);
 * it resumes from the database's current sequence and has the worker look once, so nothing written meanwhile is
 * missed. Reconnects forever.
 */
final class ChangesWakeUp implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangesWakeUp.class);
    private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(30));
    private static final long LONGPOLL_TIMEOUT_MS = 30_000;

    private final CouchDatabase database;
    private final Consumer<List<ObjectNode>> onChange;
    private final BooleanSupplier wanted;
    private final Object idle = new Object();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile ServiceCall<InputStream> current;

    ChangesWakeUp(CouchDatabase database, Consumer<List<ObjectNode>> onChange, BooleanSupplier wanted, String name) {
        this.database = database;
        this.onChange = onChange;
        this.wanted = wanted;
        this.thread = new Thread(this, "couchwork-changes-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The worker has room again: resume following the feed. */
    void resume() {
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    void stop() {
        running = false;
        resume();
        ServiceCall<InputStream> call = current;
        if (call != null) {
            call.cancel();
        }
        thread.interrupt();
    }

    private void pause() {
        synchronized (idle) {
            try {
                idle.wait(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    @Override
    public void run() {
        String since = null;
        int failures = 0;
        while (running) {
            if (!wanted.getAsBoolean()) {
                since = null;
                pause();
                continue;
            }
            try {
                if (since == null) {
                    since = database.info().getUpdateSeq(); // opaque: only ever handed back as since
                    onChange.accept(List.of()); // whatever came before this sequence: the worker looks once
                }
                ServiceCall<InputStream> call = database.client().postChangesAsStream(
                        new PostChangesOptions.Builder(database.name()).feed("longpoll").since(since)
                                .timeout(LONGPOLL_TIMEOUT_MS).includeDocs(true).build());
                current = call;
                JsonNode result = Json.read(call.execute().getResult(), JsonNode.class);
                if (result.hasNonNull("last_seq")) {
                    since = result.get("last_seq").asText(); // opaque: never compared or computed with
                }
                failures = 0;
                List<ObjectNode> docs = new ArrayList<>();
                for (JsonNode change : result.path("results")) {
                    if (change.path("doc").isObject()) {
                        docs.add((ObjectNode) change.get("doc"));
                    }
                }
                if (!docs.isEmpty()) {
                    onChange.accept(docs);
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                if (Failures.networkFailure(e).filter(SocketTimeoutException.class::isInstance).isPresent()) {
                    continue; // a server that ignores the longpoll timeout: just ask again
                }
                failures++;
                Duration delay = BACKOFF.delay(failures, ThreadLocalRandom.current());
                if (failures == 1 || failures % 10 == 0) {
                    LOG.warn("Changes feed of {} failed ({}); reconnecting in {} ms (the view poll covers the gap)",
                            database, Failures.describe(e), delay.toMillis());
                }
                // after an error the feed may have missed changes: wake the claimer once to look
                since = null;
                onChange.accept(List.of());
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }
}
