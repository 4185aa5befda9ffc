package io.couchwork.camel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.changes.LongpollFeed;
import io.couchwork.couchdb.CouchDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.time.Duration;
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

    private final CouchDatabase database;
    private final Consumer<List<ObjectNode>> onChange;
    private final BooleanSupplier wanted;
    private final Object idle = new Object();
    private final Thread thread;
    private volatile boolean running = true;
    private final LongpollFeed feed;

    ChangesWakeUp(CouchDatabase database, Consumer<List<ObjectNode>> onChange, BooleanSupplier wanted, String name) {
        this.database = database;
        this.onChange = onChange;
        this.wanted = wanted;
        this.feed = new LongpollFeed(database);
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
        feed.cancel();
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
                JsonNode result = feed.read(since, null);
                if (result.hasNonNull("last_seq")) {
                    since = result.get("last_seq").asText(); // opaque: never compared or computed with
                }
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
                Duration delay = feed.failed(e, LOG, "Changes feed of " + database + " failed",
                        " (the view poll covers the gap)");
                if (delay.isZero()) {
                    continue; // a server that ignores the longpoll timeout: just ask again
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
