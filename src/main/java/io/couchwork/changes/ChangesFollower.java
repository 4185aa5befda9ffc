package io.couchwork.changes;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.util.Backoff;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one database's _changes feed for as long as it runs, for the token worker and for {@code changes:} flows
 * alike, through either kind of {@link ChangesFeed}: resumed from the last sequence after a failure, with backoff,
 * forever; a database that was deleted and created again is followed from a new starting point, since its sequences
 * are its own.
 */
public final class ChangesFollower implements Runnable {

    /** What the follower reports to its user. */
    public interface Listener {

        /** Where to begin when there is no sequence yet: at start, and after the database was re-created. */
        String startingPoint();

        /** Changes in feed order; the feed goes on after them even when this throws (a failure, then onResumed). */
        void onChanges(ChangesFeed.Batch batch) throws InterruptedException;

        /** The feed reads again after a failure: whatever the server did meanwhile, look again where that matters. */
        default void onResumed() {}
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChangesFollower.class);
    private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(30));

    private final CouchDatabase database;
    private final Listener listener;
    private final int maxBatch;
    private final String name;
    private final ChangesFeed feed;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String since;

    /** {@code name}: for the thread and the log lines. */
    public ChangesFollower(CouchDatabase database, ChangesFeed feed, Listener listener, int maxBatch, String name) {
        this.database = database;
        this.listener = listener;
        this.maxBatch = maxBatch;
        this.name = name;
        this.feed = feed;
        this.thread = new Thread(this, "couchwork-changes-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts following from {@code since} (opaque), or from the listener's starting point when null. */
    public void start(String since) {
        this.since = since;
        thread.start();
    }

    public void stop() {
        running = false;
        feed.close();
        thread.interrupt();
    }

    /** Waits for the follower's thread to end after {@link #stop()}. */
    public void join(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
    }

    @Override
    public void run() {
        boolean recovering = false;
        int failures = 0;
        while (running) {
            try {
                if (since == null) {
                    since = listener.startingPoint();
                }
                feed.open(since);
                if (recovering) {
                    recovering = false;
                    listener.onResumed();
                }
                while (running) {
                    ChangesFeed.Batch batch = feed.next(maxBatch);
                    failures = 0;
                    if (batch.lastSeq() != null) {
                        // first: a batch the listener fails on is not delivered again and again
                        since = batch.lastSeq();
                    }
                    listener.onChanges(batch);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                if (feed.isIdleTimeout(e)) {
                    continue; // nothing happened: ask again from the same sequence
                }
                failures++;
                recovering = true;
                if (e instanceof RuntimeException r && Failures.isMissingDatabase(r)) {
                    since = null; // a re-created database has sequences of its own
                }
                Duration delay = BACKOFF.delay(failures, ThreadLocalRandom.current());
                if (failures == 1 || failures % 10 == 0) {
                    LOG.warn("Changes feed of {} for {} failed ({}); reconnecting in {} ms", database, name,
                            describe(e), delay.toMillis());
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
