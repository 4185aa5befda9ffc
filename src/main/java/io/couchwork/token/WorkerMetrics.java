package io.couchwork.token;

/** What a token worker reports as it works: its claims, the leases it reaped, each execution's outcome. */
public interface WorkerMetrics {

    /** Reports nowhere: a worker whose app keeps no metrics. */
    WorkerMetrics NONE = new WorkerMetrics() {
        @Override
        public void claimed(String pool, TokenClaimer claimer) {}

        @Override
        public void leasesReclaimed(String pool, int count) {}

        @Override
        public void executed(String pool, Token token, Outcome outcome, RetryPolicy policy, long nanos) {}
    };

    /** Executions of a token found to have run more than once (replicas that both ran it, a result superseded). */
    default void duplicateExecutions(String pool, long count) {}

    void claimed(String pool, TokenClaimer claimer);

    void leasesReclaimed(String pool, int count);

    void executed(String pool, Token token, Outcome outcome, RetryPolicy policy, long nanos);
}
