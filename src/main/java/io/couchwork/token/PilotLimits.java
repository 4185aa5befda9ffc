package io.couchwork.token;

import java.time.Duration;
import java.time.Instant;

/**
 * When a pilot stops: once the pool is drained ({@code untilEmpty}), after {@code maxTokens} claims (0: no limit),
 * after {@code idleTimeout} with nothing to run (zero: never), and {@code margin} before its {@code deadline} (null:
 * none). {@code defaultTimeoutSeconds} is how long a token without a timeout field may run (0: unknown).
 */
public record PilotLimits(boolean untilEmpty, int maxTokens, Duration idleTimeout, Instant deadline, Duration margin,
        long defaultTimeoutSeconds) {

    /** A worker that runs until it is stopped, as without pilot mode. */
    public static final PilotLimits NONE = new PilotLimits(false, 0, Duration.ZERO, null, Duration.ZERO, 0);

    /** Whether any stop condition is set. */
    public boolean any() {
        return untilEmpty || maxTokens > 0 || !idleTimeout.isZero() || deadline != null;
    }

    /** When claiming ends and running jobs are stopped: the deadline less the margin; null without a deadline. */
    public Instant stopAt() {
        return deadline == null ? null : deadline.minus(margin);
    }

    /**
     * Whether the token, started now or when it comes due, ends before {@link #stopAt} by its timeout (its own, else
     * the default); a token whose timeout is unknown fits when it can start before then.
     */
    public boolean fits(Token token, Instant now) {
        if (deadline == null) {
            return true;
        }
        long start = Math.max(now.getEpochSecond(), token.notBefore());
        long timeout = token.timeoutSeconds() > 0 ? token.timeoutSeconds() : defaultTimeoutSeconds;
        long stop = stopAt().getEpochSecond();
        return timeout > 0 ? start + timeout <= stop : start < stop;
    }
}
