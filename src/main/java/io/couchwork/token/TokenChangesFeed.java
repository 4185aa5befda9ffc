package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.changes.ContinuousFeed;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.util.Backoff;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the database's _changes feed (one continuous request with documents, from the sequence current at start)
 * and hands each batch of changed documents to {@code onDocs}, which keeps the worker's claim queue current and wakes
 * an idle worker at once. Claims by other workers reach the queue within milliseconds, which is what keeps many
 * workers from racing for tokens already taken, and the feed costs the server one request, not one per change.
 * {@code onGap} is called when the feed starts, before its first read, so that the worker reads the view for whatever
 * came before, and again when it is back after a failure (it resumes from its last sequence, but whatever happened
 * to the server meanwhile, the view is the safety net). Reconnects forever.
 */
final class TokenChangesFeed implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TokenChangesFeed.class);
    private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(30));
    private static final int MAX_BATCH = 500;

    private final CouchDatabase database;
    private final Consumer<List<ObjectNode>> onDocs;
    private final Runnable onGap;
    private final Thread thread;
    private final ContinuousFeed feed;
    private volatile boolean running = true;
    private volatile String initialSince;

    TokenChangesFeed(CouchDatabase database, Consumer<List<ObjectNode>> onDocs, Runnable onGap, String name) {
        this.database = database;
        this.onDocs = onDocs;
        this.onGap = onGap;
        this.feed = new ContinuousFeed(database);
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
        feed.close();
        thread.interrupt();
    }

    @Override
    public void run() {
        String since = initialSince;
        boolean recovering = false;
        int failures = 0;
        while (running) {
            try {
                if (since == null) {
                    since = database.info().getUpdateSeq(); // opaque: only ever handed back as since
                    onGap.run(); // whatever came before this sequence: the worker reads the view once
                }
                feed.open(since);
                if (recovering) {
                    recovering = false;
                    onGap.run();
                }
                while (running) {
                    ContinuousFeed.Batch batch = feed.next(MAX_BATCH);
                    failures = 0;
                    if (batch.lastSeq() != null) {
                        since = batch.lastSeq();
                    }
                    if (!batch.docs().isEmpty()) {
                        onDocs.accept(batch.docs());
                    }
                }
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                failures++;
                recovering = true;
                if (e instanceof RuntimeException r && Failures.isMissingDatabase(r)) {
                    since = null; // a re-created database has sequences of its own: start from its current one
                }
                Duration delay = BACKOFF.delay(failures, ThreadLocalRandom.current());
                if (failures == 1 || failures % 10 == 0) {
                    LOG.warn("Changes feed of {} failed ({}); reconnecting in {} ms (the view is read again when it is"
                            + " back)", database, describe(e), delay.toMillis());
                }
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private static String describe(Exception e) {
        return e instanceof SocketTimeoutException ? "no heartbeat within the read timeout" : Failures.describe(e);
    }
}
