package io.couchwork.changes;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The low watermark of a changes feed processed in parallel: changes are admitted in feed order and finish in any
 * order; the checkpoint is the sequence of the last change of the longest finished prefix. Sequences stay opaque:
 * only feed order (the order of admission) is used, never their value.
 */
public final class Watermark {

    private static final class Slot {
        final String seq;
        boolean finished;

        Slot(String seq) {
            this.seq = seq;
        }
    }

    private final Deque<Slot> pending = new ArrayDeque<>();
    private String checkpoint;

    public Watermark(String start) {
        this.checkpoint = start;
    }

    /** Admits the next change of the feed; the returned handle finishes it. */
    public synchronized Object admit(String seq) {
        Slot slot = new Slot(seq);
        pending.addLast(slot);
        return slot;
    }

    /** Marks a change finished and advances the checkpoint over every finished change at the head. */
    public synchronized void finish(Object handle) {
        ((Slot) handle).finished = true;
        while (!pending.isEmpty() && pending.peekFirst().finished) {
            checkpoint = pending.removeFirst().seq;
        }
    }

    /** The sequence up to which every change is finished (null: nothing yet, start from the beginning). */
    public synchronized String checkpoint() {
        return checkpoint;
    }

    public synchronized int inFlight() {
        return pending.size();
    }
}
