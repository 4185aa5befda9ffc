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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

    /** Revisions the feed showed of tokens not (yet) held, kept for a claim's hand-over: a few batches' worth. */
    private static final int RECENTLY_SHOWN = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(HeldTokens.class);
    private static final int MAX_BATCH = 100;
    /** The longest wait for the feed to show a claim, in quiet intervals: a feed this far behind is not waited for. */
    private static final int MAX_FEED_WAITS = 10;
    /** The run history outcome of a result that was not applied. */
    public static final String SUPERSEDED = "superseded";

    private final CouchDatabase database;
    private final OptimisticUpdate updates;
    private final OutcomeApplier applier;
    private final WorkerIdentity worker;
    private final Clock clock;
    private final long leaseSeconds;
    private final Map<String, Token> held = new ConcurrentHashMap<>();
    // held tokens whose current claim the changes feed has shown back, with nothing newer from another client since
    private final Set<String> shownByFeed = ConcurrentHashMap.newKeySet();
    // start writes asked for, by token, for the claim held now: answered true (it held) or false (let go)
    private final Map<String, CompletableFuture<Boolean>> proofs = new ConcurrentHashMap<>();
    // starts waiting for the feed to show their claim: completed when it does
    private final Map<String, CompletableFuture<Void>> awaitingFeed = new ConcurrentHashMap<>();
    /** When the feed last delivered changes (System.nanoTime). */
    private volatile long feedDeliveredNanos = System.nanoTime();
    // the feed may show a claim before the claimer hands the token over: the latest revisions it showed, by id
    private final Map<String, String> recentlyShown = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > RECENTLY_SHOWN;
                }
            });
    private final Set<String> finishing = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final AtomicLong outcomeConflicts = new AtomicLong();
    private final AtomicLong droppedResults = new AtomicLong();
    private final AtomicBoolean renewalDue = new AtomicBoolean();
    private final Semaphore renewalSignal = new Semaphore(0);
    private final Set<String> givenUp = ConcurrentHashMap.newKeySet();
    // runs entries of results not applied, waiting for the token to leave another client's lock (writing into a token
    // a PiCaS pilot holds would make its own result write conflict, which PiCaS never re-saves)
    private final Map<String, SupersededRun> pendingRuns = new ConcurrentHashMap<>();
    private final AtomicLong letGo = new AtomicLong();
    private final AtomicLong startWrites = new AtomicLong();
    private final Backoff writeBackoff;
    private final long leaseMarginMillis;
    private final long writeIntervalNanos;
    private volatile String lastWriteFailure;
    private volatile boolean closing;
    private volatile Consumer<String> leaseLostListener = id -> { };
    private volatile Runnable duplicateListener = () -> { };

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

    private record Finish(String id, String claimId, Outcome outcome, long started, CompletableFuture<Saved> saved)
            implements Op {}

    /**
     * The write that proves a claim still holds just before its job starts; completes with whether it does. Its time
     * (epoch second) is fixed when it is asked for, so that a retry writes what an attempt whose answer was lost wrote,
     * and the conflict it then meets is recognised as that attempt. {@code atStart}: asked for as the job starts, and
     * written even when the feed has shown the claim back meanwhile (see {@link #startWritten}).
     */
    private record Start(String id, String claimId, CompletableFuture<Boolean> proven, long at, boolean atStart) {}

    /** Start writes asked for together, written in one request. */
    private record Starts(List<Start> starts) implements Op {}

    private record Renew() implements Op {}

    private record Claims(List<ObjectNode> docs, CompletableFuture<List<WriteResult>> written) implements Op {}

    private record Stop() implements Op {}

    /** Called with a token's id when its lease turns out to be lost (another worker or an operator took it over). */
    public void onLeaseLost(Consumer<String> listener) {
        this.leaseLostListener = listener;
    }

    /**
     * Called for each result not applied because another run had finished the token meanwhile (a lease that ran out
     * while its worker lived, replicas that both ran it): a duplicate execution, also recorded in the token.
     */
    public void onDuplicateExecution(Runnable listener) {
        this.duplicateListener = listener;
    }

    /** A runs entry of a result not applied, and whether its job ran (a release at shutdown ran nothing). */
    private record SupersededRun(RunRecord run, boolean executed) {}

    /** Starts holding a freshly claimed token. */
    public void hold(Token token) {
        shownByFeed.remove(token.id());
        proofs.remove(token.id());
        held.put(token.id(), token);
        String shown = recentlyShown.remove(token.id());
        if (shown != null && shown.equals(token.rev())) {
            shown(token.id());
        }
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
        Token claim = held.get(id);
        queue.add(new Finish(id, claim == null ? null : claim.claimId(), outcome, startedEpochSecond, saved));
        return saved.whenComplete((result, error) -> finishing.remove(id));
    }

    /**
     * Proves that the claim on a held token still holds, just before its job starts: writes {@code started_at} and a
     * fresh lease on the revision the worker holds, with the next batch of writes. Any change since (another client
     * reset, re-locked or finished the token, or only edited it) makes the write conflict; the token is then let go,
     * with a log line, and not run. False when it was let go (it is no longer held). Called by the job's thread, which
     * waits for the answer.
     */
    public boolean start(Token claim) {
        return start(claim, List.of());
    }

    /**
     * As {@link #start(Token)}, proving in the same write the claims of {@code waiting} tokens (held, their jobs not
     * started yet) that the feed has not shown back: a worker whose feed lags then writes once for its queue, not once
     * per job; their jobs start on that proof (see {@link #proof}).
     */
    public boolean start(Token claim, Collection<String> waiting) {
        return start(claim, waiting, false);
    }

    /**
     * As {@link #start(Token)}, written now whatever the feed has shown or an earlier start write proved: while PiCaS
     * pilots share the pool, as they lock a token they read from a view without looking, and may write over a claim
     * in the milliseconds before its job starts, which neither the feed nor an earlier proof can rule out.
     */
    public boolean startWritten(Token claim) {
        return start(claim, List.of(), true);
    }

    private boolean start(Token claim, Collection<String> waiting, boolean atStart) {
        if (closing || !writer.isAlive()) {
            return true; // the worker is stopping: no writer to prove it with; the lease holds as it did before
        }
        List<Start> requested = new ArrayList<>();
        CompletableFuture<Boolean> proven = requestProof(claim.id(), claim.claimId(), atStart, requested);
        for (String id : waiting) {
            Token other = held.get(id);
            if (other != null && !shownByFeed(id)) {
                requestProof(id, other.claimId(), false, requested);
            }
        }
        if (!requested.isEmpty()) {
            queue.add(new Starts(requested)); // one op: the writer never takes the first without the others
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return proven.get();
                } catch (InterruptedException e) {
                    interrupted = true; // a lease lost meanwhile: the job sees the interrupt once it starts
                }
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A start write for the claim, or the one asked for already; {@code atStart}: a new one unless one is on its way
     * (an earlier proof may be older than the job's start).
     */
    private CompletableFuture<Boolean> requestProof(String id, String claimId, boolean atStart, List<Start> requested) {
        return proofs.compute(id, (k, pending) -> {
            if (pending != null && !(atStart && pending.isDone())) {
                return pending;
            }
            CompletableFuture<Boolean> proven = new CompletableFuture<>();
            requested.add(new Start(id, claimId, proven, clock.instant().getEpochSecond(), atStart));
            return proven;
        });
    }

    /**
     * The answer of a start write already made for this claim (true: it still held then; false: it was let go), or
     * empty when none was made or it is still on its way.
     */
    public Optional<Boolean> proof(String id) {
        CompletableFuture<Boolean> proven = proofs.get(id);
        return proven != null && proven.isDone() && !proven.isCompletedExceptionally()
                ? Optional.of(proven.join()) : Optional.empty();
    }

    /**
     * Whether the changes feed has shown this held token's claim back (our last write of it) and nothing since from
     * another client: a change that came later would have arrived the same way, a few milliseconds behind, and stopped
     * the token. Such a token needs no start write to prove it is still ours.
     */
    public boolean shownByFeed(String id) {
        return shownByFeed.contains(id) && held.containsKey(id);
    }

    /**
     * As {@link #shownByFeed(String)}, waiting for the feed to show a claim just made, for as long as the feed keeps
     * delivering: it brings the claim back within milliseconds, sooner than a start write would come back, but a large
     * claim comes back change by change, behind other clients' changes. Gives up once the feed has been silent for
     * {@code quiet} (it is off, or stalled), after ten times that in all (it is far behind), and as soon as it shows
     * another revision of the token as new as ours (a claim race, or another client's change).
     */
    public boolean shownByFeed(String id, Duration quiet) throws InterruptedException {
        if (shownByFeed(id) || quiet.isZero()) {
            return shownByFeed(id);
        }
        CompletableFuture<Void> shown = awaitingFeed.computeIfAbsent(id, k -> new CompletableFuture<>());
        long start = System.nanoTime();
        long end = start + MAX_FEED_WAITS * quiet.toNanos();
        try {
            while (!shownByFeed(id)) {
                long delivered = feedDeliveredNanos;
                long until = (delivered - start > 0 ? delivered : start) + quiet.toNanos();
                if (end - until < 0) {
                    until = end;
                }
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break; // not shown in time: a start write proves it instead
                }
                try {
                    shown.get(left, TimeUnit.NANOSECONDS);
                    break; // shown: our claim, or another client's revision, which only a start write settles
                } catch (java.util.concurrent.TimeoutException e) {
                    // look again: the feed may have delivered other changes meanwhile
                } catch (java.util.concurrent.ExecutionException e) {
                    break;
                }
            }
        } finally {
            awaitingFeed.remove(id, shown);
        }
        return shownByFeed(id);
    }

    private void shown(String id) {
        shownByFeed.add(id);
        stopAwaiting(id);
    }

    private void stopAwaiting(String id) {
        CompletableFuture<Void> waiting = awaitingFeed.get(id);
        if (waiting != null) {
            waiting.complete(null);
        }
    }

    private void forget(String id) {
        held.remove(id);
        shownByFeed.remove(id);
        proofs.remove(id);
    }

    /** Start writes sent (retries of one not counted again), since start. */
    public long startWrites() {
        return startWrites.get();
    }

    /** Tokens let go before their job started, since start: another client had changed them after our claim. */
    public long tokensLetGo() {
        return letGo.get();
    }

    /**
     * Documents from the changes feed: a held token that is no longer this worker's claim (reset, re-locked or finished
     * by another client) has its job stopped at once, not only at the next renewal. Revisions older than the one held
     * say nothing (the feed may lag behind our own writes).
     */
    public void observe(List<ObjectNode> docs) {
        feedDeliveredNanos = System.nanoTime();
        for (ObjectNode doc : docs) {
            Token mine = held.get(doc.path("_id").asText());
            if (mine == null) {
                recentlyShown.put(doc.path("_id").asText(), doc.path("_rev").asText());
                continue;
            }
            if (finishing.contains(mine.id())) {
                continue;
            }
            Token latest = new Token(doc);
            if (latest.rev() != null && latest.rev().equals(mine.rev())) {
                shown(mine.id()); // our claim (or our last write) came back: any later change will too
                continue;
            }
            long newer = generation(latest.rev()) - generation(mine.rev());
            if (newer >= 0) {
                stopAwaiting(mine.id()); // not ours: a job start waiting for the feed has a start write settle it
            }
            if (newer > 0 && !ClaimOwnership.stillHolds(mine, latest)
                    && !latest.hasRunOf(mine.claimId())) {
                LOG.warn("Token {} was {} by another client while its job ran (now {}, lock {}, host {}): stopping the"
                        + " job", mine.id(), latest.state() == TokenState.TODO ? "reset" : "taken over", latest.state(),
                        latest.lock(), latest.document().path(TokenFields.HOSTNAME).asText());
                shownByFeed.remove(mine.id());
                leaseLostListener.accept(mine.id());
            }
        }
    }

    private static long generation(String rev) {
        if (rev == null) {
            return 0;
        }
        int dash = rev.indexOf('-');
        try {
            return Long.parseLong(dash < 0 ? rev : rev.substring(0, dash));
        } catch (NumberFormatException e) {
            return 0;
        }
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
        renewLeases(); // a last try at the runs entries still waiting for other clients' locks
        pendingRuns.keySet().forEach(id -> LOG.warn("Token {} is still locked by another client: the superseded run of"
                + " this worker's result (logged above) is not in its runs", id));
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
        List<Start> starts = new ArrayList<>();
        boolean stop = false;
        for (int attempt = 1; ; attempt++) {
            List<Claims> claims = new ArrayList<>();
            for (Op op : batch) {
                if (op instanceof Starts st) {
                    starts.addAll(st.starts()); // retried with the outcomes until written
                } else if (op instanceof Finish f) {
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
                Set<String> except = new HashSet<>(attempt == 1 ? finishes.keySet() : Set.of());
                starts.forEach(st -> except.add(st.id()));
                renewIfDue(except);
            } catch (RuntimeException e) {
                failure = e;
            }
            try {
                writeOutcomes(finishes.values(), starts, claims);
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
            if (failure == null) {
                lastWriteFailure = null;
                return stop;
            }
            lastWriteFailure = Failures.describe(failure);
            int pending = (int) finishes.values().stream().filter(f -> !f.saved().isDone()).count()
                    + (int) starts.stream().filter(st -> !st.proven().isDone()).count();
            if (closing && pending == 0 && queue.isEmpty()) {
                return stop; // only renewals failed: nothing is held any more once the worker is stopping
            }
            if (closing && attempt >= 3) {
                LOG.error("Giving up writing {} token outcomes at shutdown ({}); their leases will expire and they"
                        + " will run again", pending, lastWriteFailure);
                finishes.values().forEach(f -> f.saved().complete(Saved.DROPPED));
                starts.forEach(st -> st.proven().complete(false));
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
        writePendingRuns();
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
    private void writeOutcomes(Collection<Finish> finishes, List<Start> starts, List<Claims> claims) {
        long now = clock.instant().getEpochSecond();
        List<Finish> written = new ArrayList<>();
        List<ObjectNode> docs = new ArrayList<>();
        for (Finish f : finishes) {
            if (f.saved().isDone()) {
                continue; // written (or resolved) by an earlier attempt
            }
            Token current = held.get(f.id());
            if (current == null || !Objects.equals(current.claimId(), f.claimId())) {
                f.saved().complete(superseded(f, current, "this worker no longer holds its claim"));
                continue;
            }
            written.add(f);
            docs.add(applier.apply(current, f.outcome(), f.started(), now, worker, current.claimId()).document());
        }
        int outcomes = docs.size();
        List<Start> startsWritten = new ArrayList<>();
        List<Token> startDocs = new ArrayList<>();
        for (Start st : starts) {
            Token current = held.get(st.id());
            if (st.proven().isDone()) {
                continue;
            }
            if (current == null || !Objects.equals(current.claimId(), st.claimId())) {
                st.proven().complete(false);
                continue;
            }
            // a token asked to be proven while it waited behind another's job may have started since, on the feed's
            // proof, and even finished: its start write would conflict with our own outcome (written first, when in
            // this request) and read as another client's change. An outcome on its way ends the claim, so its job must
            // not start (one released at shutdown may not have); a claim the feed showed back is proven as a job
            // proves it itself
            if (finishing.contains(st.id())) {
                st.proven().complete(false);
                continue;
            }
            if (!st.atStart() && shownByFeed(st.id())) {
                st.proven().complete(true);
                continue;
            }
            Token started = current.started(st.at(), st.at() + leaseSeconds);
            startWrites.incrementAndGet();
            startsWritten.add(st);
            startDocs.add(started);
            docs.add(started.document());
        }
        int startsEnd = docs.size();
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
        int next = startsEnd;
        for (Claims c : claims) {
            c.written().complete(List.copyOf(results.subList(next, next + c.docs().size())));
            next += c.docs().size();
        }
        for (int i = 0; i < startsWritten.size(); i++) {
            Start st = startsWritten.get(i);
            WriteResult result = results.get(outcomes + i);
            if (result.ok()) {
                Token proven = startDocs.get(i).withRev(result.rev());
                held.computeIfPresent(st.id(), (k, t) -> proven);
                st.proven().complete(true);
            } else {
                st.proven().complete(resolveStartConflict(st.id(), startDocs.get(i)));
            }
        }
        for (int i = 0; i < outcomes; i++) {
            Finish finish = written.get(i);
            if (results.get(i).ok()) {
                forget(finish.id());
                finish.saved().complete(Saved.WRITTEN);
            } else {
                outcomeConflicts.incrementAndGet();
                finish.saved().complete(resolveOutcomeConflict(finish));
            }
        }
    }

    /**
     * A start write that conflicted: the claim holds only when the token as it is now is our own start write, applied
     * though its answer was lost; any other change since our claim (PiCaS re-locked or finished it from a stale view
     * row, someone reset or edited it) lets the token go without running it. Nothing is written: the token may be
     * another client's now.
     */
    private boolean resolveStartConflict(String id, Token attempted) {
        Optional<ObjectNode> latestDoc = database.get(id);
        Token mine = held.get(id);
        if (mine != null && latestDoc.isPresent()) {
            Token latest = new Token(latestDoc.get());
            boolean ourStartApplied = latest.startedAt() == attempted.startedAt()
                    && latest.leaseUntil() == attempted.leaseUntil(); // its answer was lost
            // a renewal of ours got there first: it moved lease_until, which a PiCaS pilot's re-lock never touches
            boolean ourRenewal = latest.rev() != null && latest.rev().equals(mine.rev())
                    || latest.leaseUntil() > mine.leaseUntil();
            if (ClaimOwnership.stillHolds(mine, latest) && (ourStartApplied || ourRenewal)) {
                held.put(id, latest);
                return true;
            }
            LOG.warn("Token {} was changed by another client after this worker claimed it (now {}, lock {}, host {}):"
                    + " letting it go, not running it", id, latest.state(), latest.lock(),
                    latest.document().path(TokenFields.HOSTNAME).asText());
        } else {
            LOG.warn("Token {} was deleted after this worker claimed it: not running it", id);
        }
        forget(id);
        letGo.incrementAndGet();
        return false;
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
        forget(finish.id());
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
        if (ClaimOwnership.stillHolds(mine, latest)) {
            base = latest; // still ours: someone only touched other fields
        } else if (latest.state() == TokenState.TODO && latest.lastRunIsLeaseExpiryOf(mine.claimId())
                && !latest.changedByOthers()) {
            // our lease was reaped but nobody took the token again: the work is done, keep it; the worker was
            // alive after all, so the expiry does not count against the token
            base = latest.withoutLeaseExpiryOf(mine.claimId())
                    .claimed(worker, mine.claimId(), mine.lock(), now + leaseSeconds);
        } else {
            return Decision.keep(Optional.of(whyNotOurs(latest)));
        }
        return Decision.write(applier.apply(base, finish.outcome(), finish.started(), now, worker, mine.claimId())
                .document(), Optional.empty());
    }

    private static String whyNotOurs(Token latest) {
        if (latest.state() == TokenState.TODO) {
            return "it was reset" + (latest.changedByOthers() ? " by another client" : "") + " (now TODO)";
        }
        if (latest.state() == TokenState.LOCKED) {
            return ClaimOwnership.isCouchworkLease(latest)
                    ? "it is now LOCKED by worker " + latest.workerId() + " (our lease had expired)"
                    : "it is now LOCKED by another client (lock " + latest.lock() + ", host "
                            + latest.document().path(TokenFields.HOSTNAME).asText() + ")";
        }
        return "it is now " + latest.state();
    }

    private Saved drop(Finish finish, String why) {
        return superseded(finish, held.get(finish.id()), why);
    }

    /**
     * A result that is not applied (the token was reset, taken or finished by another client): a log line, and an
     * entry in the token's run history with outcome {@code superseded}, written now or, while another client holds the
     * token locked, once it no longer does.
     */
    private Saved superseded(Finish finish, Token mine, String why) {
        if (mine != null && Objects.equals(mine.claimId(), finish.claimId())) {
            forget(finish.id());
        }
        droppedResults.incrementAndGet();
        Integer exitCode = finish.outcome() instanceof Outcome.Finished f ? f.exitCode() : null;
        RunRecord run = new RunRecord(finish.claimId(), worker.workerId(), worker.hostname(), finish.started(),
                clock.instant().getEpochSecond(), SUPERSEDED, exitCode);
        boolean executed = !(finish.outcome() instanceof Outcome.Released);
        String recorded = appendRun(finish.id(), new SupersededRun(run, executed));
        LOG.warn("Result of token {} not applied because {}: {}; {}", finish.id(), why, describe(finish.outcome()),
                recorded);
        return Saved.DROPPED;
    }

    /**
     * Adds {@code run} to the token's history unless another client holds it locked; says what became of it. A job that
     * ran on a token some other run finished meanwhile is a duplicate execution: marked and counted as one.
     */
    private String appendRun(String id, SupersededRun superseded) {
        RunRecord run = superseded.run();
        boolean[] duplicate = new boolean[1];
        try {
            String result = updates.update(id, latestDoc -> {
                duplicate[0] = false;
                if (latestDoc.isEmpty()) {
                    return Decision.keep("not recorded: the token was deleted");
                }
                Token latest = new Token(latestDoc.get());
                if (latest.hasRunOf(run.claimId())) {
                    return Decision.keep("recorded in its runs as " + SUPERSEDED);
                }
                if (latest.state() == TokenState.LOCKED) {
                    return Decision.keep(null);
                }
                if (superseded.executed() && (latest.state() == TokenState.DONE || latest.state() == TokenState.ERROR)) {
                    duplicate[0] = true;
                    return Decision.write(latest.withDuplicateRun(run).document(), "recorded in its runs as "
                            + SUPERSEDED + ", a duplicate execution");
                }
                return Decision.write(latest.withRun(run).document(), "recorded in its runs as " + SUPERSEDED);
            });
            if (result != null) {
                pendingRuns.remove(id);
                if (duplicate[0]) {
                    duplicateListener.run();
                }
                return result;
            }
        } catch (RuntimeException e) {
            LOG.debug("Cannot record the superseded run of token {} yet ({})", id, Failures.describe(e));
        }
        pendingRuns.put(id, superseded);
        return "recorded in its runs as " + SUPERSEDED + " once the token is no longer locked";
    }

    /** Runs entries of results not applied whose tokens were locked by another client: written once they are not. */
    private void writePendingRuns() {
        for (Map.Entry<String, SupersededRun> pending : List.copyOf(pendingRuns.entrySet())) {
            appendRun(pending.getKey(), pending.getValue());
        }
    }

    private void resolveRenewalConflict(String id, WriteResult result) {
        Optional<ObjectNode> latestDoc = database.get(id);
        Token mine = held.get(id);
        if (mine == null) {
            return;
        }
        if (latestDoc.isPresent()) {
            Token latest = new Token(latestDoc.get());
            if (ClaimOwnership.stillHolds(mine, latest)) {
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
