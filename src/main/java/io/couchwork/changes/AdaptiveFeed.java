package io.couchwork.changes;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * A _changes feed read continuously while its reader is alone and by longpoll while {@code crowded} says others read
 * it too. A continuous feed costs the server one write per change per reader, and each reader a wake-up per change of
 * the whole database: with eight workers on one pool, eight of each for every change. A longpoll hands each reader
 * what accumulated since its last read in one answer, so its cost follows the reader's own pace, at one request per
 * batch, which a lone reader does not need to pay. Switches between batches, from the last sequence delivered.
 */
public final class AdaptiveFeed implements ChangesFeed {

    private final ChangesFeed alone;
    private final ChangesFeed shared;
    private final BooleanSupplier crowded;
    private volatile ChangesFeed current;
    private volatile boolean closed;
    private String since;

    public AdaptiveFeed(ChangesFeed alone, ChangesFeed shared, BooleanSupplier crowded) {
        this.alone = alone;
        this.shared = shared;
        this.crowded = crowded;
        this.current = alone;
    }

    @Override
    public void open(String since) {
        closed = false;
        this.since = since;
        use(wanted()).open(since);
    }

    @Override
    public Batch next(int max) throws IOException {
        ChangesFeed next = wanted();
        if (next != current) {
            use(next).open(since);
            if (closed) { // closed from another thread while switching: the new feed must not keep its reader waiting
                next.close();
                throw new java.io.EOFException("the changes feed was closed");
            }
        }
        Batch batch = next.next(max);
        if (batch.lastSeq() != null) {
            since = batch.lastSeq();
        }
        return batch;
    }

    /** The feed in use now: the continuous or the longpoll one. */
    public ChangesFeed current() {
        return current;
    }

    @Override
    public void close() {
        closed = true;
        alone.close();
        shared.close();
    }

    @Override
    public boolean isIdleTimeout(Exception error) {
        return current.isIdleTimeout(error);
    }

    /** Makes {@code next} the feed in use, closing the other if it was; returns it, to be opened. */
    private ChangesFeed use(ChangesFeed next) {
        if (next != current) {
            current.close();
            current = next;
        }
        return next;
    }

    private ChangesFeed wanted() {
        return crowded.getAsBoolean() ? shared : alone;
    }
}
