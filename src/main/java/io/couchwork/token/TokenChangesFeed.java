package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.changes.AdaptiveFeed;
import io.couchwork.changes.ChangesFollower;
import io.couchwork.changes.ChangesFeed;
import io.couchwork.changes.ContinuousFeed;
import io.couchwork.changes.LongpollFeed;
import io.couchwork.couchdb.CouchDatabase;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The token worker's view of the _changes feed, with documents: one continuous request while the worker is the only
 * one it sees (changes arrive as they happen, at no request cost; a proxy that holds streamed answers back only slows
 * the worker down to the view poll), longpoll requests while others serve the pool too, so that each worker reads the
 * pool's changes in batches at its own pace rather than each change on its own (see {@link AdaptiveFeed}): every
 * batch of changed documents goes to {@code onDocs}, which keeps
 * the claim queue current and wakes an idle worker at once (other workers' claims reach the queue within milliseconds,
 * which keeps many workers from racing for tokens already taken). {@code onGap} is called when the feed starts from
 * the database's current sequence, so that the worker reads the view for whatever came before, and again when the feed
 * is back after a failure: it resumes from its last sequence, but the view is the safety net.
 */
final class TokenChangesFeed implements ChangesFollower.Listener {

    private static final int MAX_BATCH = 500;
    /** While others serve the pool: the pause after a longpoll that brought changes, for the next to gather more. */
    static final Duration CROWDED_PAUSE = Duration.ofMillis(20);
    /** How long the feed may stay silent while a job waits for it to show its claim (see HeldTokens#shownByFeed). */
    private static final Duration CONTINUOUS_QUIET = Duration.ofMillis(20);
    /** Longpoll answers come a pause and a request apart (38 ms on a CouchDB 3 cluster): silence is longer there. */
    private static final Duration LONGPOLL_QUIET = CROWDED_PAUSE.plusMillis(60);

    private final CouchDatabase database;
    private final Consumer<List<ObjectNode>> onDocs;
    private final Runnable onGap;
    private final AdaptiveFeed feed;
    private final ChangesFollower follower;

    TokenChangesFeed(CouchDatabase database, Consumer<List<ObjectNode>> onDocs, Runnable onGap,
            BooleanSupplier crowded, String name) {
        this.database = database;
        this.onDocs = onDocs;
        this.onGap = onGap;
        this.feed = new AdaptiveFeed(new ContinuousFeed(database, true),
                new LongpollFeed(database, true, CROWDED_PAUSE), crowded);
        this.follower = new ChangesFollower(database, feed, this, MAX_BATCH, name);
    }

    /**
     * Takes the feed's starting sequence now, when it can, so that the worker's first view read (which comes after) is
     * the only one it needs at start; else the follower takes it, and reports the gap, when the server answers.
     */
    void start() {
        String now;
        try {
            now = database.info().getUpdateSeq();
        } catch (RuntimeException e) {
            now = null;
        }
        follower.start(now);
    }

    /** How long the feed may be silent before a job waiting for it to show its claim proves it by a write instead. */
    Duration quiet() {
        return feed.current() instanceof LongpollFeed ? LONGPOLL_QUIET : CONTINUOUS_QUIET;
    }

    void stop() {
        follower.stop();
    }

    @Override
    public String startingPoint() {
        String now = database.info().getUpdateSeq(); // opaque: only ever handed back as since
        onGap.run(); // whatever came before this sequence: the worker reads the view once
        return now;
    }

    @Override
    public void onChanges(ChangesFeed.Batch batch) {
        List<ObjectNode> docs = batch.docs();
        if (!docs.isEmpty()) {
            onDocs.accept(docs);
        }
    }

    @Override
    public void onResumed() {
        onGap.run();
    }
}
