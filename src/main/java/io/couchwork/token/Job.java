package io.couchwork.token;

/**
 * What a {@link TokenWorker} does with each token it claims. An exception it throws is a failed attempt (not retried
 * when a {@link NonRetryable} is among its causes), or a release when it comes from the interruption of a stopping
 * worker (see {@link TokenWorker#stoppedBy}). The worker interrupts the job's thread when the token's lease is lost.
 */
@FunctionalInterface
public interface Job {

    Outcome run(Token token) throws Exception;
}
