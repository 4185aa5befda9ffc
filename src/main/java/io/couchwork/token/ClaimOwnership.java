package io.couchwork.token;

import java.util.Objects;

/**
 * Whether a token document still carries a claim of this worker's. A claim is Couchwork's own only while the token is
 * locked and lock, claim_id, worker_id and claim_lock (the lock value Couchwork's claim wrote) all agree with what the
 * worker wrote: PiCaS re-locking a token (lock = now, claim_id left in place), resetting it (lock 0) or finishing it
 * (done > 0) each breaks one of them. The one change no field shows, a PiCaS pilot re-locking within the same second
 * on the same host, is caught before the job starts by the start write, which fails on any change since the claim.
 */
public final class ClaimOwnership {

    private ClaimOwnership() {}

    /**
     * Whether {@code token}'s lock is a Couchwork lease: locked, with a lease, and a lock that is still
     * the one its claim wrote (not a PiCaS pilot's, written over the lease fields Couchwork left). Tokens claimed before
     * claim_lock existed are taken at their lease.
     */
    public static boolean isCouchworkLease(Token token) {
        // lease_until is Couchwork's alone; claim_id is not asked for here: a lease is reaped whoever wrote it
        if (token.state() != TokenState.LOCKED || token.leaseUntil() <= 0) {
            return false;
        }
        return !token.document().has(TokenFields.CLAIM_LOCK) || token.claimLock() == token.lock();
    }

    /** Whether {@code latest} is still the claim {@code mine} of this worker (any other fields may have changed). */
    public static boolean stillHolds(Token mine, Token latest) {
        return mine.claimId() != null && isCouchworkLease(latest) && mine.claimId().equals(latest.claimId())
                && Objects.equals(mine.workerId(), latest.workerId()) && mine.lock() == latest.lock();
    }
}
