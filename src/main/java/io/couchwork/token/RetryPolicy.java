package io.couchwork.token;

import io.couchwork.util.Backoff;
import java.time.Duration;
import java.util.Set;
import java.util.random.RandomGenerator;

/** When a failed token goes back to the pool and how long it waits there; when it lands in the error state instead. */
public record RetryPolicy(int maxAttempts, Backoff backoff, Set<Integer> nonRetryableExitCodes) {

    public static RetryPolicy of(int maxAttempts, Duration initialDelay, Duration maxDelay, Set<Integer> nonRetryable) {
        return new RetryPolicy(maxAttempts, Backoff.exponential(initialDelay, maxDelay), Set.copyOf(nonRetryable));
    }

    /** True when a token that has now failed {@code attemptsSoFar + 1} times may run again. */
    public boolean mayRetry(int attemptsSoFar, Integer exitCode, boolean retryable) {
        if (!retryable || (exitCode != null && nonRetryableExitCodes.contains(exitCode))) {
            return false;
        }
        return attemptsSoFar + 1 < maxAttempts;
    }

    /** Epoch second before which the token is not claimed again, after its {@code attempt}-th failure. */
    public long notBefore(long nowSeconds, int attempt, RandomGenerator random) {
        return nowSeconds + Math.max(1, (backoff.delay(attempt, random).toMillis() + 999) / 1000);
    }
}
