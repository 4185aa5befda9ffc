package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.DocumentKeptChangingException;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.OptimisticUpdate;
import io.couchwork.couchdb.OptimisticUpdate.Decision;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.util.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokens this worker holds, and the one thread that writes them: lease renewals and outcomes go through a queue and
 * out in _bulk_docs batches, so the worker never conflicts with itself; the claimer's claims ride along in the same
 * requests. A conflict with someone else is resolved by re-reading the token: an outcome is re-applied while the token
 * is still ours (or back in todo), never dropped silently. Renewals go out in requests of their own, also while
 * outcome writes are being retried; a job whose lease cannot be renewed is stopped before the lease ends. Writes go
 * out at most once per write interval: jobs that finish within it share one request (a request costs CouchDB several
 * milliseconds, a document in it a fraction of one).
 */

public final class HeldTokens implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HeldTokens.class);
    private static final int MAX_BATCH = 100;

    private final CouchDatabase database;
    private final OptimisticUpdate updates;
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
    private final AtomicBoolean renewalDue = new AtomicBoolean();
    private final Semaphore renewalSignal = new Semaphore(0);
    private final Set<String> givenUp = ConcurrentHashMap.newKeySet();
    private final Backoff writeBackoff;
    private final long leaseMarginMillis;
    private final long writeIntervalNanos;
    private volatile String lastWriteFailure;
    private volatile boolean closing;
    private volatile Consumer<String> leaseLostListener = id -> { };

    public HeldTokens(CouchDatabase database, OutcomeApplier applier, WorkerIdentity worker, Clock clock,
            long leaseSeconds, Duration writeInterval, String name) {
        this.database = database;
        this.updates = new OptimisticUpdate(database);
        this.applier = applier;
        this.worker = worker;
        this.clock = clock;
        this.leaseSeconds = leaseSeconds;
        // retries come at least every tenth of the lease (renewals ride along), and a job whose lease could not be
        // renewed is stopped a tenth of the lease before its end
        long tenth = leaseSeconds * 100;
        this.writeBackoff = Backoff.exponential(Duration.ofMillis(200),
                Duration.ofMillis(Math.max(1000, Math.min(15_000, tenth))));
        this.leaseMarginMillis = tenth;
        this.writeIntervalNanos = writeInterval.toNanos();
        this.writer = new Thread(this::writeLoop, "couchwork-writer-" + name);
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** What became of an outcome: written, or why not. */
    public enum Saved { WRITTEN, DROPPED }

    private sealed interface Op {}

    private record Finish(String id, Outcome outcome, long started, CompletableFuture<Saved> saved) implements Op {}

    private record Renew() implements Op {}

    private record Claims(List<ObjectNode> docs, CompletableFuture<List<WriteResult>> written) implements Op {}

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

    /**
     * Writes claims along with the next batch of results, in one _bulk_docs (a request costs CouchDB far more than a
     * document in it); returns the claims' results in order. A request that fails fails the claims at once, unretried:
     * the claimer finds out what became of them. Called by the claimer's thread, which waits for the answer.
     */
    public List<WriteResult> writeClaims(List<ObjectNode> docs) {
        if (closing || !writer.isAlive()) {
            return database.bulkWrite(docs);
        }
        CompletableFuture<List<WriteResult>> written = new CompletableFuture<>();
        Claims claims = new Claims(List.copyOf(docs), written);
        queue.add(claims);
        try {
            while (true) {
                try {
                    return written.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    if (!writer.isAlive() && queue.remove(claims)) {
                        return database.bulkWrite(docs); // the writer stopped before it came to them
                    }
                }
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while claiming", e);
        }
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

    /** Asks for a renewal of every held token's lease, written at once, even while outcome writes are retried. */
    public void renewLeases() {
        renewalDue.set(true);
        renewalSignal.release();
        queue.add(new Renew()); // wakes an idle writer
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
        long lastWrite = System.nanoTime() - writeIntervalNanos;
        while (true) {
            List<Op> batch = new ArrayList<>();
            try {
                batch.add(queue.take());
                collectUntil(batch, lastWrite + writeIntervalNanos);
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - batch.size());
            lastWrite = System.nanoTime();
            if (writeWithRetries(batch)) {
                return;
            }
        }
    }

    /** Adds what is queued until {@code deadline} (System.nanoTime), a full batch, or a stop, whichever comes first. */
    private void collectUntil(List<Op> batch, long deadline) throws InterruptedException {
        while (batch.size() < MAX_BATCH && !(batch.get(batch.size() - 1) instanceof Stop)) {
            long wait = deadline - System.nanoTime();
            Op next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    /**
     * A server that is down or overloaded is waited out: an outcome is never given up while the process lives. The
     * leases of held tokens (those whose outcome is being retried included) are renewed in a request of their own
     * whenever a renewal is due, also between the retries of an outcome write, so that a slow or failing outcome
     * batch never lets a lease run out. Outcomes queued meanwhile join the retries. True when the writer is to stop.
     */
    private boolean writeWithRetries(List<Op> batch) {
        Map<String, Finish> finishes = new LinkedHashMap<>();
        boolean stop = false;
        for (int attempt = 1; ; attempt++) {
            List<Claims> claims = new ArrayList<>();
            for (Op op : batch) {
                if (op instanceof Finish f) {
                    Finish superseded = finishes.put(f.id(), f);
                    if (superseded != null) {
                        superseded.saved().complete(Saved.DROPPED); // a no-op once it was written
                    }
                } else if (op instanceof Claims c) {
                    claims.add(c); // written once, with this attempt: never retried here
                }
                stop |= op instanceof Stop;
            }
            renewalSignal.drainPermits(); // a renewal asked for from now on cuts the backoff short
            RuntimeException failure = null;
            try {
                // a first attempt writes its outcomes at once: their tokens need no renewal as well
                renewIfDue(attempt == 1 ? finishes.keySet() : Set.of());
            } catch (RuntimeException e) {
                failure = e;
            }
            try {
                writeOutcomes(finishes.values(), claims);
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
            if (failure == null) {
                lastWriteFailure = null;
                return stop;
            }
            lastWriteFailure = Failures.describe(failure);
            int pending = (int) finishes.values().stream().filter(f -> !f.saved().isDone()).count();
            if (closing && pending == 0 && queue.isEmpty()) {
                return stop; // only renewals failed: nothing is held any more once the worker is stopping
            }
            if (closing && attempt >= 3) {
                LOG.error("Giving up writing {} token outcomes at shutdown ({}); their leases will expire and they"
                        + " will run again", pending, lastWriteFailure);
                finishes.values().forEach(f -> f.saved().complete(Saved.DROPPED));
                return stop;
            }
            Duration delay = writeBackoff.delay(attempt, ThreadLocalRandom.current());
            String what = pending == 0 ? "lease renewals" : pending + " token outcomes"
                    + (renewalDue.get() ? " and lease renewals" : "");
            LOG.warn("Cannot write {} ({}); retrying in {} ms", what, lastWriteFailure, delay.toMillis());
            awaitRenewalOr(delay);
            batch = new ArrayList<>();
            queue.drainTo(batch, Math.max(0, MAX_BATCH - pending));
        }
    }

    /** Renews the lease of every held token but those given, when a renewal is due; a failed one stays due. */
    private void renewIfDue(Set<String> except) {
        if (!renewalDue.getAndSet(false)) {
            return;
        }
        try {
            long now = clock.instant().getEpochSecond();
            List<String> ids = new ArrayList<>();
            List<ObjectNode> docs = new ArrayList<>();
            for (Token current : held.values()) {
                if (!except.contains(current.id()) && current.state() == TokenState.LOCKED) {
                    ids.add(current.id());
                    docs.add(current.leaseExtended(now + leaseSeconds).document());
                }
            }
            for (int from = 0; from < docs.size(); from += MAX_BATCH) {
                int to = Math.min(docs.size(), from + MAX_BATCH);
                List<WriteResult> results = database.bulkWrite(docs.subList(from, to));
                for (int i = 0; i < results.size(); i++) {
                    String id = ids.get(from + i);
                    WriteResult result = results.get(i);
                    if (result.ok()) {
                        Token renewed = new Token(docs.get(from + i)).withRev(result.rev());
                        held.computeIfPresent(id, (k, t) -> renewed);
                    } else {
                        resolveRenewalConflict(id, result);
                    }
                }
            }
        } catch (RuntimeException e) {
            renewalDue.set(true);
            throw e;
        }
    }

    /**
     * Writes the outcomes not written yet and the claims, in one request; the claims' answers go back at once, then
     * outcome conflicts are resolved one by one.
     */
    private void writeOutcomes(Collection<Finish> finishes, List<Claims> claims) {
        long now = clock.instant().getEpochSecond();
        List<Finish> written = new ArrayList<>();
        List<ObjectNode> docs = new ArrayList<>();
        for (Finish f : finishes) {
            if (f.saved().isDone()) {
                continue; // written (or resolved) by an earlier attempt
            }
            Token current = held.get(f.id());
            if (current == null) {
                f.saved().complete(Saved.DROPPED);
                continue;
            }
            written.add(f);
            docs.add(applier.apply(current, f.outcome(), f.started(), now, worker, current.claimId()).document());
        }
        int outcomes = docs.size();
        claims.forEach(c -> docs.addAll(c.docs()));
        if (docs.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        List<WriteResult> results;
        try {
            results = database.bulkWrite(docs);
            if (results.size() != docs.size()) {
                throw new IllegalStateException("the server answered " + results.size() + " results for "
                        + docs.size() + " documents");
            }
        } catch (RuntimeException e) {
            claims.forEach(c -> c.written().completeExceptionally(e));
            throw e;
        }
        LOG.debug("Wrote {} token outcomes and {} claims in {} ms", outcomes, docs.size() - outcomes,
                (System.nanoTime() - t0) / 1_000_000);
        int next = outcomes;
        for (Claims c : claims) {
            c.written().complete(List.copyOf(results.subList(next, next + c.docs().size())));
            next += c.docs().size();
        }
        for (int i = 0; i < outcomes; i++) {
            Finish finish = written.get(i);
            if (results.get(i).ok()) {
                held.remove(finish.id());
                finish.saved().complete(Saved.WRITTEN);
            } else {
                outcomeConflicts.incrementAndGet();
                finish.saved().complete(resolveOutcomeConflict(finish));
            }
        }
    }

    /** Waits {@code delay}, or less when a lease renewal is asked for meanwhile. */
    private void awaitRenewalOr(Duration delay) {
        try {
            renewalSignal.tryAcquire(delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the jobs of held tokens whose lease is about to run out because no renewal got through (the server is
     * unreachable or keeps failing): better a job released and run again later than one running on next to another
     * worker's re-run once the lease has ended and the token was reaped. Called often (see
     * {@link #leaseCheckInterval()}); each job is stopped once, a margin of a tenth of the lease before its end.
     */
    public void stopJobsWhoseLeaseRunsOut() {
        long nowMillis = clock.millis();
        givenUp.retainAll(held.keySet());
        for (Token token : held.values()) {
            long remaining = token.leaseUntil() * 1000 - nowMillis;
            if (token.leaseUntil() <= 0 || remaining >= leaseMarginMillis || finishing.contains(token.id())
                    || !givenUp.add(token.id())) {
                continue;
            }
            String why = lastWriteFailure;
            LOG.warn("Cannot renew the lease of token {}{}: stopping its job {} ms before the lease ends at {}, so that it"
                    + " never runs on next to another worker's re-run; the token goes back to the pool without counting"
                    + " an attempt", token.id(), why == null ? "" : " (" + why + ")", Math.max(0, remaining),
                    token.leaseUntil());
            leaseLostListener.accept(token.id());
        }
    }

    /** How often {@link #stopJobsWhoseLeaseRunsOut()} should run: well within the margin it keeps. */
    public Duration leaseCheckInterval() {
        return Duration.ofMillis(Math.max(100, Math.min(1000, leaseMarginMillis / 2)));
    }

    /** Re-reads the token and re-applies the outcome while it is still ours or back in todo; else logs why not. */
    private Saved resolveOutcomeConflict(Finish finish) {
        Token mine = held.get(finish.id());
        Optional<String> whyNotSaved;
        try {
            whyNotSaved = updates.update(finish.id(), latest -> reapply(finish, mine, latest));
        } catch (DocumentKeptChangingException e) {
            whyNotSaved = Optional.of("it kept changing under us");
        }
        if (whyNotSaved.isPresent()) {
            return drop(finish, whyNotSaved.get());
        }
        held.remove(finish.id());
        return Saved.WRITTEN;
    }

    /** The outcome applied to the token as read, to write; or why it is not saved (none: it is saved already). */
    private Decision<Optional<String>> reapply(Finish finish, Token mine, Optional<ObjectNode> latestDoc) {
        if (latestDoc.isEmpty()) {
            return Decision.keep(Optional.of("it was deleted"));
        }
        Token latest = new Token(latestDoc.get());
        if (latest.hasRunOf(mine.claimId())) {
            // an earlier write of this outcome went through though its answer was lost (a dropped connection)
            return Decision.keep(Optional.empty());
        }
        long now = clock.instant().getEpochSecond();
        Token base;
        if (latest.state() == TokenState.LOCKED && mine.claimId() != null && mine.claimId().equals(latest.claimId())) {
            base = latest; // still ours: someone only touched other fields
        } else if (latest.state() == TokenState.TODO) {
            // our lease was reaped but nobody took the token again: the work is done, keep it; the worker was
            // alive after all, so the expiry does not count against the token
            base = latest.withoutLeaseExpiryOf(mine.claimId())
                    .claimed(worker, mine.claimId(), mine.lock(), now + leaseSeconds);
        } else {
            return Decision.keep(Optional.of("it is now " + latest.state() + (latest.state() == TokenState.LOCKED
                    ? " by worker " + latest.workerId() + " (our lease had expired)" : "")));
        }
        return Decision.write(applier.apply(base, finish.outcome(), finish.started(), now, worker, mine.claimId())
                .document(), Optional.empty());
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
            if (latest.hasRunOf(mine.claimId())) {
                return; // our outcome went through though its answer was lost: its write finds out and carries on
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
}
