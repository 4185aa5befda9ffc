package io.couchwork.token;

import java.time.Duration;
import java.util.List;

/** How a {@link TokenWorker} serves its pool: what the tokens: endpoint's options say, checked once. */
public record WorkerSettings(String name, List<String> types, int concurrency, Duration lease, Duration pollInterval,
        Duration reapInterval, Duration writeInterval, Duration unleasedLockTimeout, Duration shutdownGrace,
        int maxLeaseExpiries, RetryPolicy retryPolicy, int prefetch, int claimBatch, boolean followChanges) {

    /** {@link #prefetch} when the depth follows the measured pace (see {@link PrefetchDepth#auto}). */
    public static final int AUTO_PREFETCH = -1;

    public WorkerSettings {
        types = List.copyOf(types);
    }

    /** A new prefetch policy, measuring from scratch. */
    public PrefetchDepth newPrefetchDepth() {
        return prefetch == AUTO_PREFETCH
                ? PrefetchDepth.auto(concurrency, writeInterval)
                : PrefetchDepth.fixed(concurrency, prefetch);
    }

    /** How often leases are renewed and the worker's presence refreshed: a third of the lease, at least a second. */
    public Duration renewInterval() {
        return Duration.ofMillis(Math.max(1000, lease.toMillis() / 3));
    }
}
