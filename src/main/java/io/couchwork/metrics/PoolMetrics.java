package io.couchwork.metrics;

import io.couchwork.couchdb.CouchDbClients;
import io.couchwork.status.PoolStatus;
import io.couchwork.token.Outcome;
import io.couchwork.token.RetryPolicy;
import io.couchwork.token.Token;
import io.couchwork.token.TokenClaimer;
import io.couchwork.token.WorkerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Couchwork's Micrometer meters, in one place: the token engine calls its one-line hooks (claims, conflicts, reaped
 * leases, executions), and the gauges (tokens per set and state, dead letters, changes-feed lag) are set from the
 * periodic {@link PoolStatus} look.
 */
public class PoolMetrics implements WorkerMetrics {

    /** The registry name the app binds it under; the tokens: component finds it there as its WorkerMetrics. */
    public static final String BEAN = "poolMetrics";
    private static final Duration[] DURATION_BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};

    private final MeterRegistry registry;
    /** Claims and conflicts each claimer had counted at the last hook, to add only what is new. */
    private final Map<TokenClaimer, long[]> claimerTotals = new java.util.WeakHashMap<>();
    private final Map<String, AtomicReference<Double>> gauges = new ConcurrentHashMap<>();
    // meters by name and tags: looked up per token, and a registry lookup builds its id and tags every time
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public PoolMetrics(MeterRegistry registry) {
        this.registry = registry;
        FunctionCounter.builder("couchwork.couchdb.requests", CouchDbClients.class, c -> CouchDbClients.requestCount())
                .description("HTTP requests sent to CouchDB by this process, retries included").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Hook after a claim: adds the claims won and races lost since the claimer's last report. */
    @Override
    public void claimed(String pool, TokenClaimer claimer) {
        long claims;
        long conflicts;
        synchronized (claimerTotals) {
            long[] last = claimerTotals.computeIfAbsent(claimer, c -> new long[2]);
            claims = claimer.claims() - last[0];
            conflicts = claimer.conflicts() - last[1];
            last[0] += claims;
            last[1] += conflicts;
        }
        counter("couchwork.claims", "Tokens claimed", "pool", pool).increment(claims);
        counter("couchwork.claim.conflicts", "Claims lost to another worker (MVCC conflicts)", "pool", pool)
                .increment(conflicts);
    }

    /** Hook after the reaper ran: tokens whose expired lease it returned to the pool. */
    @Override
    public void leasesReclaimed(String pool, int count) {
        counter("couchwork.leases.reclaimed", "Expired leases returned to the pool", "pool", pool).increment(count);
    }

    /** Hook after an execution: its outcome (done, retry or error, as the retry policy decides) and duration. */
    @Override
    public void executed(String pool, Token token, Outcome outcome, RetryPolicy policy, long nanos) {
        String result = outcomeName(token.attempts(), outcome, policy);
        if (result == null) {
            return; // released at shutdown: not an execution that ended
        }
        counter("couchwork.executions", "Token executions by outcome", "pool", pool, "set", token.type(), "outcome",
                result).increment();
        timers.computeIfAbsent(pool + "|" + token.type(), k -> Timer.builder("couchwork.execution.duration")
                .description("Time a token's job ran").tags("pool", pool, "set", token.type())
                .serviceLevelObjectives(DURATION_BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void duplicateExecutions(String pool, long count) {
        counter("couchwork.duplicate.executions", "Token executions found to have run twice (conflicting replicas,"
                + " a result superseded by another run's)", "pool", pool).increment(count);
    }

    /** Sets the gauges of tokens per set and state and of dead letters from a status look. */
    public void update(PoolStatus status) {
        Set<String> seen = new HashSet<>();
        for (PoolStatus.SetStatus set : status.sets()) {
            set.counts().forEach((state, count) -> {
                seen.add(gauge("couchwork.tokens", "Tokens per set and state", count, "set", set.type(), "state", state));
            });
        }
        // a set whose tokens were all deleted counts zero, not its last value
        gauges.forEach((key, value) -> {
            if (key.startsWith("couchwork.tokens|") && !seen.contains(key)) {
                value.set(0.0);
            }
        });
        gauge("couchwork.dead.letters", "Dead letters not re-queued", status.deadLetters().count());
    }

    /** Sets a changes: consumer's lag: changes after its checkpoint; NaN when the server cannot tell. */
    public void changesPending(String consumer, double pending) {
        gauge("couchwork.changes.pending", "Changes after a changes: consumer's checkpoint", pending, "consumer", consumer);
    }

    static String outcomeName(int attemptsSoFar, Outcome outcome, RetryPolicy policy) {
        if (outcome instanceof Outcome.Finished finished) {
            return finished.exitCode() == 0 ? "done"
                    : policy.mayRetry(attemptsSoFar, finished.exitCode(), true) ? "retry" : "error";
        }
        if (outcome instanceof Outcome.Failed failed) {
            return policy.mayRetry(attemptsSoFar, null, failed.retryable()) ? "retry" : "error";
        }
        return null;
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(name + "|" + String.join("|", tags),
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private String gauge(String name, String description, double value, String... tags) {
        String key = name + "|" + String.join("|", tags);
        gauges.computeIfAbsent(key, k -> {
            AtomicReference<Double> holder = new AtomicReference<>(0.0);
            Gauge.builder(name, holder, AtomicReference::get).description(description).tags(tags).register(registry);
            return holder;
        }).set(value);
        return key;
    }
}
