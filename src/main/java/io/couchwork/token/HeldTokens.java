package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.util.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokens this worker holds, and the one thread that writes them: lease renewals and outcomes go through a queue and
 * out in _bulk_docs batches, so the worker never conflicts with itself. A conflict with someone else is resolved by
 * re-reading the token: an outcome is re-applied while the token is still ours (or back in todo), never dropped silently.
 */

public final class HeldTokens implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HeldTokens.class);
    private static final int MAX_BATCH = 100;
    private static final int MAX_CONFLICT_ROUNDS = 5;
    private static final Backoff WRITE_BACKOFF = Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(15));

    private final CouchDatabase database;
    private final OutcomeApplier applier;
    private final WorkerIdentity worker;
    private final Clock clock;
    private final long leaseSeconds;
    private final Map<String, Token> held = new ConcurrentHashMap<>();
    private final Set<String> finishing = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final AtomicLong outcomeConflicts = new AtomicLong();
    private final AtomicLong droppedResults = new AtomicLong();
    private volatile boolean closing;
    private volatile Consumer<String> leaseLostListener = id -> { };

    public HeldTokens(CouchDatabase database, OutcomeApplier applier, WorkerIdentity worker, Clock clock,
            long leaseSeconds, String name) {
        this.database = database;
        this.applier = applier;
        this.worker = worker;
        this.clock = clock;
        this.leaseSeconds = leaseSeconds;
        this.writer = new Thread(this::writeLoop, "couchwork-writer-" + name);
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** What became of an outcome: written, or why not. */
    public enum Saved { WRITTEN, DROPPED }

    private sealed interface Op {}

    private record Finish(String id, Outcome outcome, long started, CompletableFuture<Saved> saved) implements Op {}

    private record Renew() implements Op {}

    private record Stop() implements Op {}

    /** Called with a token's id when its lease turns out to be lost (another worker or an operator took it over). */
    public void onLeaseLost(Consumer<String> listener) {
        this.leaseLostListener = listener;
    }

    /** Starts holding a freshly claimed token. */
    public void hold(Token token) {
        held.put(token.id(), token);
    }

    public int size() {
        return held.size();
    }

    public boolean holds(String id) {
        return held.containsKey(id);
    }

    /** Queues the outcome of an execution; the future completes once it is in CouchDB (or dropped, with a warning). */
    public CompletableFuture<Saved> finish(String id, Outcome outcome, long startedEpochSecond) {
        CompletableFuture<Saved> saved = new CompletableFuture<>();
        finishing.add(id);
        queue.add(new Finish(id, outcome, startedEpochSecond, saved));
        return saved.whenComplete((result, error) -> finishing.remove(id));
    }

    /** Releases every held token that has no outcome on its way, e.g. prefetched ones that never started. */
    public int releaseUnfinished(String reason, long nowEpochSecond) {
        int released = 0;
        for (String id : held.keySet()) {
            if (!finishing.contains(id)) {
                finish(id, new Outcome.Released(reason), nowEpochSecond);
                released++;
            }
        }
        return released;
    }

    /** Queues a renewal of every held token's lease. */
    public void renewLeases() {
        queue.add(new Renew());
    }

    public long outcomeConflicts() {
        return outcomeConflicts.get();
    }

    public long droppedResults() {
        return droppedResults.get();
    }

    /** Stops the writer after everything queued so far is written. */
    @Override
    public void close() {
        closing = true;
        queue.add(new Stop());
        try {
            writer.join(Duration.ofSeconds(60).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        while (true) {
            List<Op> batch = new ArrayList<>();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            boolean stop = batch.removeIf(op -> op instanceof Stop);
            writeWithRetries(batch);
            if (stop) {
                return;
            }
        }
    }

    /** A server that is down or overloaded is waited out: an outcome is never given up while the process lives. */
    private void writeWithRetries(List<Op> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                write(batch);
                return;
            } catch (RuntimeException e) {
                if (closing && attempt >= 3) {
                    LOG.error("Giving up writing {} token updates at shutdown ({}); their leases will expire and they"
                            + " will run again", batch.size(), Failures.describe(e));
                    batch.forEach(op -> {
                        if (op instanceof Finish f) {
                            f.saved().complete(Saved.DROPPED);
                        }
                    });
                    return;
                }
                Duration delay = WRITE_BACKOFF.delay(attempt, ThreadLocalRandom.current());
                LOG.warn("Cannot write {} token updates ({}); retrying in {} ms", batch.size(), Failures.describe(e),
                        delay.toMillis());
                sleep(delay);
            }
        }
    }

    private void write(List<Op> batch) {
        long now = clock.instant().getEpochSecond();
        Map<String, Finish> finishes = new LinkedHashMap<>();
        boolean renew = false;
        for (Op op : batch) {
            if (op instanceof Finish f) {
                finishes.put(f.id(), f);
            } else if (op instanceof Renew) {
                renew = true;
            }
        }
        List<String> ids = new ArrayList<>();
        List<ObjectNode> docs = new ArrayList<>();
        for (Finish f : finishes.values()) {
            Token current = held.get(f.id());
            if (current == null) {
                f.saved().complete(Saved.DROPPED);
                continue;
            }
            ids.add(f.id());
            docs.add(applier.apply(current, f.outcome(), f.started(), now, worker, current.claimId()).document());
        }
        if (renew) {
            for (Token current : held.values()) {
                if (!finishes.containsKey(current.id())) {
                    ids.add(current.id());
                    docs.add(current.leaseExtended(now + leaseSeconds).document());
                }
            }
        }
        long t0 = System.nanoTime();
        List<WriteResult> results = database.bulkWrite(docs);
        LOG.debug("Wrote {} token updates in {} ms", docs.size(), (System.nanoTime() - t0) / 1_000_000);
        for (int i = 0; i < results.size(); i++) {
            String id = ids.get(i);
            WriteResult result = results.get(i);
            Finish finish = finishes.get(id);
            if (result.ok()) {
                if (finish != null) {
                    held.remove(id);
                    finish.saved().complete(Saved.WRITTEN);
                } else {
                    Token renewed = new Token(docs.get(i)).withRev(result.rev());
                    held.computeIfPresent(id, (k, t) -> renewed);
                }
            } else if (finish != null) {
                outcomeConflicts.incrementAndGet();
                finish.saved().complete(resolveOutcomeConflict(finish));
            } else {
                resolveRenewalConflict(id, result);
            }
        }
    }

    /** Re-reads the token and re-applies the outcome while it is still ours or back in todo; else logs why not. */
    private Saved resolveOutcomeConflict(Finish finish) {
        Token mine = held.get(finish.id());
        for (int round = 1; round <= MAX_CONFLICT_ROUNDS; round++) {
            Optional<ObjectNode> latestDoc = database.get(finish.id());
            if (latestDoc.isEmpty()) {
                return drop(finish, "it was deleted");
            }
            Token latest = new Token(latestDoc.get());
            if (latest.hasRunOf(mine.claimId())) {
                // an earlier write of this outcome went through though its answer was lost (a dropped connection)
                held.remove(finish.id());
                return Saved.WRITTEN;
            }
            long now = clock.instant().getEpochSecond();
            Token base;
            if (latest.state() == TokenState.LOCKED && mine.claimId() != null && mine.claimId().equals(latest.claimId())) {
                base = latest; // still ours: someone only touched other fields
            } else if (latest.state() == TokenState.TODO) {
                // our lease was reaped but nobody took the token again: the work is done, keep it
                base = latest.claimed(worker, mine.claimId(), mine.lock(), now + leaseSeconds);
            } else {
                return drop(finish, "it is now " + latest.state() + (latest.state() == TokenState.LOCKED
                        ? " by worker " + latest.workerId() + " (our lease had expired)" : ""));
            }
            WriteResult result = database.put(applier.apply(base, finish.outcome(), finish.started(), now, worker,
                    mine.claimId()).document());
            if (result.ok()) {
                held.remove(finish.id());
                return Saved.WRITTEN;
            }
        }
        return drop(finish, "it kept changing under us");
    }

    private Saved drop(Finish finish, String why) {
        held.remove(finish.id());
        droppedResults.incrementAndGet();
        LOG.warn("Result of token {} not saved because {}: {}", finish.id(), why, describe(finish.outcome()));
        return Saved.DROPPED;
    }

    private void resolveRenewalConflict(String id, WriteResult result) {
        Optional<ObjectNode> latestDoc = database.get(id);
        Token mine = held.get(id);
        if (mine == null) {
            return;
        }
        if (latestDoc.isPresent()) {
            Token latest = new Token(latestDoc.get());
            if (latest.state() == TokenState.LOCKED && mine.claimId() != null && mine.claimId().equals(latest.claimId())) {
                held.put(id, latest); // renewed at the next heartbeat, on the fresh revision
                return;
            }
        }
        LOG.warn("Lost the lease on token {} ({}): another worker or an operator changed it; stopping its job", id,
                result.error());
        leaseLostListener.accept(id);
    }

    private static String describe(Outcome outcome) {
        if (outcome instanceof Outcome.Finished f) {
            return "exit code " + f.exitCode();
        }
        if (outcome instanceof Outcome.Failed f) {
            return "failed: " + f.message();
        }
        return "released";
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
