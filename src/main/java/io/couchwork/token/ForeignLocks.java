package io.couchwork.token;

/**
 * Whether a client other than Couchwork (a PiCaS pilot) has locked tokens of ours lately, as the changes feed shows
 * them: a lock that is not a Couchwork lease. Such a pilot locks a token it read from a view without asking whether it
 * is locked already, so it may write over a claim in the milliseconds between the feed showing it and the job's start.
 */
public final class ForeignLocks {

    private final long memoryMillis;
    private volatile long lastSeenMillis = Long.MIN_VALUE; // none yet

    /** {@code memoryMillis}: how long one foreign lock counts; pilots that go on working lock tokens all the time. */
    public ForeignLocks(long memoryMillis) {
        this.memoryMillis = memoryMillis;
    }

    /** A token as the feed delivered it. */
    public void saw(Token token, long nowMillis) {
        if (token.state() == TokenState.LOCKED && !ClaimOwnership.isCouchworkLease(token)) {
            lastSeenMillis = nowMillis;
        }
    }

    /** Whether a foreign lock was seen within the memory. */
    public boolean recent(long nowMillis) {
        return lastSeenMillis >= nowMillis - memoryMillis;
    }
}
