package io.couchwork.camel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.changes.LongpollFeed;
import io.couchwork.couchdb.CouchDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the database's _changes feed (longpoll with documents, from the sequence current at start) and hands each
 * batch of changed documents to {@code onDocs}, which keeps the worker's claim queue current and wakes an idle worker
 * at once (while every execution slot is taken, it reads at most every 25 ms, so that changes arrive in batches).
 * {@code onGap} is called when the feed starts, before its first read, so that the worker reads the view for
 * whatever came before, and again when it is back after a failure (it resumes from its last sequence, but whatever
 * happened to the server meanwhile, the view is the safety net). Reconnects forever.
 */

final class TokenChangesFeed implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TokenChangesFeed.class);
    private static final Duration BUSY_PACE = Duration.ofMillis(25);

    private final CouchDatabase database;
    private final Consumer<List<ObjectNode>> onDocs;
    private final Runnable onGap;
    private final BooleanSupplier busy;
    private final Thread thread;
    private final LongpollFeed feed;
    private volatile boolean running = true;
    private volatile String initialSince;

    TokenChangesFeed(CouchDatabase database, Consumer<List<ObjectNode>> onDocs, Runnable onGap,
            BooleanSupplier busy, String name) {
        this.database = database;
        this.onDocs = onDocs;
        this.onGap = onGap;
        this.busy = busy;
        this.feed = new LongpollFeed(database);
        this.thread = new Thread(this, "couchwork-changes-" + name);
        this.thread.setDaemon(true);
    }

    /**
     * Takes the feed's starting sequence now, when it can, so that the worker's first view read (which comes after) is
     * the only one it needs at start; else the feed thread takes it, and reports the gap, when the server answers.
     */
    void start() {
        try {
            initialSince = database.info().getUpdateSeq();
        } catch (RuntimeException e) {
            initialSince = null;
        }
        thread.start();
    }

    void stop() {
        running = false;
        feed.cancel();
        thread.interrupt();
    }

    @Override
    public void run() {
        String since = initialSince;
        boolean recovering = false;
        while (running) {
            try {
                if (since == null) {
                    since = database.info().getUpdateSeq(); // opaque: only ever handed back as since
                    onGap.run(); // whatever came before this sequence: the worker reads the view once
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
                    onDocs.accept(docs);
                    if (busy.getAsBoolean()) {
                        // nobody waits for a free slot: let changes gather into one read instead of one read each
                        Thread.sleep(BUSY_PACE.toMillis());
                    }
                }
                if (recovering) {
                    recovering = false;
                    onGap.run();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                Duration delay = feed.failed(e, LOG, "Changes feed of " + database + " failed",
                        " (the view is read again when it is back)");
                if (delay.isZero()) {
                    continue; // a server that ignores the longpoll timeout: just ask again
                }
                recovering = true;
                if (io.couchwork.couchdb.Failures.isMissingDatabase(e)) {
                    since = null; // a re-created database has sequences of its own: start from its current one
                }
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }
}
