package io.couchwork.bench;

import java.util.function.LongConsumer;

/**
 * One database's updater in the cost model: it commits one group of writes at a time, and the writes that arrive
 * while it is busy are taken in together as the next group, paying the fixed cost once (CouchDB's
 * {@code couch_db_updater} merges every update waiting in its mailbox into one commit, {@code collect_updates}).
 * Times are {@link System#nanoTime()} values, passed in so that the rule can be checked without waiting.
 */
final class GroupCommitQueue {

    /** Writes committed together: the commit starts at {@code start}; its end is known once it has started. */
    static final class Group {
        final long start;
        private long docsNanos;
        private long end = -1;
        private int waiting;
        private long lastAnswer;

        private Group(long start) {
            this.start = start;
        }
    }

    private final long fixedNanos;
    private final LongConsumer committing;
    private final LongConsumer overran;
    private long committingUntil = Long.MIN_VALUE;
    private long busyUntil = Long.MIN_VALUE;
    private Group next;

    /**
     * {@code committing} and {@code overran} are told the queue's busy time, each instant once: its modelled commits,
     * and the time the bundled server's answers ran on past them while no commit was modelled.
     */
    GroupCommitQueue(long fixedNanos, LongConsumer committing, LongConsumer overran) {
        this.fixedNanos = fixedNanos;
        this.committing = committing;
        this.overran = overran;
    }

    /** A write of {@code docsNanos} per-document cost arriving at {@code now}: the group it is committed in. */
    synchronized Group join(long now, long docsNanos) {
        startDue(now);
        if (next == null && committingUntil <= now) { // the updater is idle: committed at once, alone
            Group alone = new Group(now);
            add(alone, docsNanos);
            begin(alone);
            return alone;
        }
        if (next == null) {
            next = new Group(committingUntil);
        }
        add(next, docsNanos);
        return next;
    }

    private static void add(Group group, long docsNanos) {
        group.docsNanos += docsNanos;
        group.waiting++;
    }

    /** The end of the group's commit; call once {@code now} has reached its start: no write joins it after that. */
    synchronized long end(Group group, long now) {
        startDue(now);
        return group.end;
    }

    /** A write of the group got its answer from the server at {@code answeredAt}. */
    synchronized void answered(Group group, long answeredAt) {
        group.lastAnswer = Math.max(group.lastAnswer, answeredAt);
        if (--group.waiting == 0 && group.lastAnswer > busyUntil) {
            overran.accept(group.lastAnswer - Math.max(group.end, busyUntil));
            busyUntil = group.lastAnswer;
        }
    }

    private void startDue(long now) {
        if (next != null && next.start <= now) {
            begin(next);
            next = null;
        }
    }

    private void begin(Group group) {
        group.end = group.start + fixedNanos + group.docsNanos;
        committingUntil = group.end;
        if (group.end > busyUntil) {
            committing.accept(group.end - Math.max(group.start, busyUntil));
            busyUntil = group.end;
        }
    }
}
