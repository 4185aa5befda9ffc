package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbClients;
import io.couchwork.couchdb.Failures;
import io.couchwork.util.Backoff;
import io.couchwork.util.ThrottledWarning;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a token pool: claims tokens when execution slots are free, from a claim queue the _changes feed keeps current
 * (the view is read at start, when the queue runs dry, after a gap in the feed, and as a safety net when idle for a
 * poll interval), runs each {@link Job} on the jobs' executor, and records the outcome: done, retry later, or error.
 * Renews the leases of running tokens, reaps expired ones and refreshes its presence on the periodic tasks it is given;
 * on stop lets running jobs finish within a grace period, then releases what is left to the pool without counting an
 * attempt. In pilot mode it claims only what its {@link Pilot} allows and tells it when it has claimed all it may.
 * While the pool's {@link ClaimingSwitch} is paused it claims nothing and goes on with the tokens it holds.
 */
public final class TokenWorker {

    private static final Logger LOG = LoggerFactory.getLogger(TokenWorker.class);
    /** Finished jobs, one line each: a logger of their own, so that a busy pool can turn them down. */
    private static final Logger TOKENS = LoggerFactory.getLogger("io.couchwork.tokens");
    private static final Backoff CLAIM_BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(30));
    private static final Duration PILOT_CHECK = Duration.ofSeconds(1);

    private final CouchDatabase database;
    private final WorkerIdentity worker;
    private final Clock clock;
    private final WorkerSettings settings;
    private final Job job;
    private final ExecutorService executor;
    private final PeriodicTasks tasks;
    private final WorkerMetrics metrics;
    private final Semaphore wakeUp = new Semaphore(0);
    private final AtomicInteger inFlight = new AtomicInteger();
    // claimed and not yet executed to the end: what occupies the slots and the prefetch room (tokens whose outcome is
    // on its way to the server do not, or a slow server's write time would eat the prefetch)
    private final AtomicInteger unfinished = new AtomicInteger();
    private final Map<String, Thread> running = new ConcurrentHashMap<>();
    // claimed and handed to the executor, job not started yet: proven together when one of them needs a start write
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private final Set<String> leaseLost = ConcurrentHashMap.newKeySet();
    private volatile boolean claiming;
    private volatile boolean stopping;
    private volatile boolean viewsMissing;
    private Pilot pilot;
    // a failure that persists (a deleted database, a server that is down) is logged once a minute, not at every try
    private final ThrottledWarning claimWarning = new ThrottledWarning(LOG, Duration.ofMinutes(1), Clock.systemUTC());
    private final ThrottledWarning reapWarning = new ThrottledWarning(LOG, Duration.ofMinutes(1), Clock.systemUTC());
    private HeldTokens held;
    private TokenClaimer claimer;
    private LeaseReaper reaper;
    private TokenChangesFeed changes;
    private Thread claimThread;
    private PrefetchDepth prefetch;
    private WorkerPresence presence;
    private ClaimingSwitch claimingSwitch;
    private TokenConflictResolver conflicts = TokenConflictResolver.NONE;

    /** {@code executor} runs the jobs, with {@code settings.concurrency()} threads; the worker shuts it down. */
    public TokenWorker(CouchDatabase database, WorkerIdentity worker, Clock clock, WorkerSettings settings, Job job,
            ExecutorService executor, PeriodicTasks tasks, WorkerMetrics metrics) {
        this.database = database;
        this.worker = worker;
        this.clock = clock;
        this.settings = settings;
        this.job = job;
        this.executor = executor;
        this.tasks = tasks;
        this.metrics = metrics;
        this.pilot = Pilot.none(clock);
    }

    private void resolveConflicts(List<ObjectNode> docs) {
        int duplicates = conflicts.resolve(docs);
        if (duplicates > 0) {
            metrics.duplicateExecutions(settings.name(), duplicates);
        }
    }

    /** How tokens with conflicting revisions are resolved before they are claimed or reaped; before {@link #start}. */
    public void resolveConflictsWith(TokenConflictResolver resolver) {
        this.conflicts = resolver;
    }

    /** Pilot mode: claims within the pilot's limits and reports when it has claimed all it may; before {@link #start}. */
    public void obey(Pilot pilot) {
        this.pilot = pilot;
    }

    public void start() {
        List<String> types = settings.types();
        try {
            new DesignDocuments(database).installFor(types);
        } catch (RuntimeException e) {
            if (!Failures.isTransient(e)) {
                throw e;
            }
            // a server fault is no reason not to start: the claim loop installs them, with backoff
            LOG.warn("Cannot install the views yet ({}); trying again before the first claim", Failures.describe(e));
            viewsMissing = true;
        }
        long leaseSeconds = settings.lease().toSeconds();
        OutcomeApplier applier = new OutcomeApplier(settings.retryPolicy(), settings.maxLeaseExpiries(), new Random());
        held = new HeldTokens(database, applier, worker, clock, leaseSeconds, settings.writeInterval(),
                settings.name());
        held.onLeaseLost(this::stopJobOf);
        held.onDuplicateExecution(() -> metrics.duplicateExecutions(settings.name(), 1));
        claimer = new TokenClaimer(database, types, worker, clock, new Random(), leaseSeconds);
        claimer.writeClaimsThrough(held::writeClaims); // claims ride along with results: one request, not two
        claimer.skipHeld(held::holds);
        claimer.onlyClaim(pilot::fits);
        claimer.onConflicted(this::resolveConflicts);
        pilot.join(this);
        if (pilot.limits().any()) {
            tasks.every(PILOT_CHECK, PILOT_CHECK, pilot::check);
        }
        reaper = new LeaseReaper(database, types, applier, clock, settings.unleasedLockTimeout().toSeconds());
        reaper.onConflicted(this::resolveConflicts);
        Duration renew = settings.renewInterval();
        tasks.every(renew, renew, held::renewLeases);
        claimingSwitch = new ClaimingSwitch(database);
        presence = new WorkerPresence(database, worker, types, clock, renew);
        presence.reportClaimingPaused(claimingSwitch::paused);
        announcePresence();
        tasks.every(renew, renew, this::refreshPresence);
        Duration check = held.leaseCheckInterval();
        tasks.every(check, check, held::stopJobsWhoseLeaseRunsOut);
        tasks.every(Duration.ZERO, settings.reapInterval(), this::reapExpiredLeases);
        if (settings.followChanges()) {
            changes = new TokenChangesFeed(database, this::onChanges, this::onGap, claimer::seesOtherWorkers,
                    settings.name());
            changes.start();
        } else {
            tasks.every(settings.pollInterval(), settings.pollInterval(), this::readClaimingSwitch);
        }
        readClaimingSwitch(); // after the feed took its starting point: a later switch arrives by the feed
        prefetch = settings.newPrefetchDepth();
        learnWorkers(); // after the feed took its starting point: a worker announced from then on arrives by the feed
        claiming = true;
        claimThread = new Thread(this::claimLoop, "couchwork-claim-" + settings.name());
        claimThread.start();
        LOG.info("Worker {} serves token types {} of {} with {} parallel executions, lease {}", worker.workerId(),
                types, database, settings.concurrency(), settings.lease());
    }

    /**
     * Claims when an execution slot is idle or half the prefetch room is free (so that claims come in batches while
     * jobs run), then waits for a change, a finished job, or the poll interval; a whole poll interval without any
     * wake-up has the claimer read the view again, the safety net for anything the feed missed.
     */
    private void claimLoop() {
        int failures = 0;
        try {
            claimer.reportInvalidTokens();
        } catch (RuntimeException e) {
            LOG.warn("Cannot look for invalid tokens ({})", Failures.describe(e));
        }
        int concurrency = settings.concurrency();
        boolean claimedAll = false; // pilot mode: the pool is drained, or the pilot's budget of claims is spent
        while (claiming) {
            if (claimedAll || pilot.claimsSpent()) {
                claimedAll = true;
                if (isIdle()) {
                    pilot.workerFinished(this);
                    return;
                }
                await(settings.pollInterval()); // a finished job wakes us
                continue;
            }
            if (claimingSwitch.paused()) {
                await(settings.pollInterval()); // resuming wakes us
                continue;
            }
            int ahead = prefetch.depth();
            int capacity = concurrency + ahead;
            int threshold = Math.max(1, (ahead + 1) / 2);
            int running = unfinished.get();
            int room = capacity - running;
            boolean writesBehind = inFlight.get() - running > 4 * capacity; // outcomes pile up: let them catch up
            if (room <= 0 || writesBehind || (running >= concurrency && room < threshold)) {
                await(settings.pollInterval()); // busy: a finished job wakes us
                continue;
            }
            try {
                if (viewsMissing) {
                    new DesignDocuments(database).installFor(settings.types());
                    viewsMissing = false;
                }
                if (changes == null) {
                    claimer.markStale(); // no feed keeps the claim queue current: read the view each time
                }
                long t0 = System.nanoTime();
                int idleSlots = Math.max(0, concurrency - running);
                int wanted = pilot.reserve(Math.min(room, settings.claimBatch()));
                if (wanted == 0) {
                    continue; // the pilot's budget is spent
                }
                long viewReads = claimer.viewReads();
                List<Token> tokens;
                try {
                    tokens = claimer.claim(wanted, Math.min(idleSlots, wanted));
                } catch (RuntimeException e) {
                    pilot.giveBack(wanted);
                    throw e;
                }
                pilot.giveBack(wanted - tokens.size());
                if (!tokens.isEmpty()) {
                    prefetch.claimTook(System.nanoTime() - t0);
                }
                metrics.claimed(settings.name(), claimer);
                LOG.debug("Claimed {} of {} wanted in {} ms", tokens.size(), wanted, (System.nanoTime() - t0) / 1_000_000);
                failures = 0;
                claimWarning.succeeded("Claiming tokens works again");
                tokens.forEach(this::start);
                if (tokens.isEmpty() && pilot.limits().untilEmpty() && isIdle() && claimer.queued() == 0) {
                    // drained only by the view's word: the feed may not have brought a retry our own outcome wrote
                    claimedAll = claimer.viewReads() > viewReads;
                    claimer.markStale();
                    continue;
                }
                if (tokens.isEmpty()) {
                    // nothing claimable: a change, a finished job or a due retry wakes us
                    Duration wait = untilNextLook();
                    if (!await(wait) && wait.equals(settings.pollInterval())) {
                        claimer.markStale();
                    }
                }
            } catch (RuntimeException e) {
                failures++;
                Duration delay = CLAIM_BACKOFF.delay(failures, ThreadLocalRandom.current());
                if (Failures.httpAnswer(e).filter(a -> a.getStatusCode() == 404).isPresent()) {
                    viewsMissing = true; // the database or our design documents were deleted: reinstall once it is back
                }
                claimWarning.failed("Cannot claim tokens (" + describe(e) + "); trying again with backoff, next in "
                        + delay.toMillis() + " ms");
                await(delay);
            }
        }
    }

    /** Nothing claimed is left to run or to record. */
    private boolean isIdle() {
        return unfinished.get() == 0 && inFlight.get() == 0;
    }

    /** The poll interval, or less when a delayed token comes due sooner. */
    private Duration untilNextLook() {
        Duration poll = settings.pollInterval();
        OptionalLong due = claimer.secondsUntilNextDue();
        if (due.isPresent() && Duration.ofSeconds(due.getAsLong()).compareTo(poll) < 0) {
            return Duration.ofSeconds(Math.max(0, due.getAsLong())).plusMillis(50);
        }
        return poll;
    }

    private void start(Token token) {
        leaseLost.remove(token.id());
        held.hold(token);
        waiting.add(token.id());
        pilot.jobClaimed();
        inFlight.incrementAndGet();
        unfinished.incrementAndGet();
        try {
            executor.execute(() -> execute(token));
        } catch (RuntimeException rejected) {
            waiting.remove(token.id());
            finish(token, new Outcome.Released("worker stopping"), clock.instant().getEpochSecond());
        }
    }

    private boolean provenByFeed(Token token) {
        try {
            TokenChangesFeed feed = changes;
            return held.shownByFeed(token.id(), feed != null ? feed.quiet() : Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // a lease lost meanwhile: the job sees it once it starts
            return false;
        }
    }

    private void execute(Token token) {
        waiting.remove(token.id());
        long started = clock.instant().getEpochSecond();
        long t0 = System.nanoTime();
        if (!claiming) {
            finish(token, new Outcome.Released("worker stopping before the job started"), started);
            return;
        }
        if (!pilot.fits(token)) { // it waited in the prefetch queue for longer than the pilot's time allows
            finish(token, new Outcome.Released("it would not end before the pilot's time limit"), started);
            return;
        }
        // registered before the lease check, as stopJobOf marks before it looks: one of the two sees the other
        running.put(token.id(), Thread.currentThread());
        if (leaseLost.remove(token.id())) {
            running.remove(token.id());
            finish(token, new Outcome.Released("the lease was lost before the job started"), started);
            return;
        }
        // a prefetched token may have been reset, re-locked or finished by another client meanwhile. The feed shows such
        // a change within milliseconds (and stops the token); a claim it has not shown back before it fell silent for a
        // write interval, or fell far behind (see HeldTokens.shownByFeed), is proven by a start write, which fails on any
        // change since our claim: such a token is let go (logged by the writer), never run. A start write for every
        // token would cost a 1-slot worker a write round trip per job, so it is spent only while PiCaS pilots lock
        // tokens of the pool: they write over a claim without looking, in the milliseconds the feed cannot cover
        boolean mine = claimer.seesForeignLocks() ? held.startWritten(token)
                : held.proof(token.id()).orElseGet(() -> provenByFeed(token) || held.start(token, List.copyOf(waiting)));
        if (!mine) {
            running.remove(token.id());
            leaseLost.remove(token.id());
            unfinished.decrementAndGet();
            inFlight.decrementAndGet();
            wake();
            return;
        }
        t0 = System.nanoTime(); // the job's own time, which prefetch depth is sized by
        Outcome outcome;
        try {
            try {
                outcome = job.run(token);
            } finally {
                running.remove(token.id());
                Thread.interrupted(); // a lease lost just as the job ended must not leak into the next one
            }
            if (leaseLost.remove(token.id())) {
                outcome = new Outcome.Released("the lease was lost during the job");
            }
        } catch (Exception e) {
            outcome = leaseLost.remove(token.id()) ? new Outcome.Released("the lease was lost during the job")
                    : failureOf(e);
        }
        prefetch.jobTook(System.nanoTime() - t0);
        LOG.debug("Token {} ran in {} ms", token.id(), (System.nanoTime() - t0) / 1_000_000);
        reportOutcome(token, outcome, System.nanoTime() - t0);
        metrics.executed(settings.name(), token, outcome, settings.retryPolicy(), System.nanoTime() - t0);
        finish(token, outcome, started);
    }

    /** A job's exception as an outcome: a release when the stopping worker interrupted it, else a failed attempt. */
    private Outcome failureOf(Exception error) {
        if (stoppedBy(error)) {
            return new Outcome.Released("worker stopped during the job");
        }
        boolean retryable = true;
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            retryable &= !(t instanceof NonRetryable);
        }
        return new Outcome.Failed(Failures.describe(error), error.getClass().getName(), retryable, List.of());
    }

    /** True when {@code error} comes from this worker interrupting its jobs on the way down (past the grace period). */
    public boolean stoppedBy(Throwable error) {
        if (!stopping) {
            return false;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * One line per finished job, on its own logger (io.couchwork.tokens, level COUCHWORK_TOKEN_LOG_LEVEL): done at INFO,
     * a failure at WARN saying whether it will be retried. The document holds the details.
     */
    private void reportOutcome(Token token, Outcome outcome, long nanos) {
        String took = nanos < 1_000_000_000L ? nanos / 1_000_000 + " ms"
                : String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
        int attempt = token.attempts() + 1;
        RetryPolicy retry = settings.retryPolicy();
        if (outcome instanceof Outcome.Finished finished && finished.exitCode() == 0) {
            TOKENS.info("Token {} done in {}", token.id(), took);
        } else if (outcome instanceof Outcome.Finished finished) {
            String why = finished.failureMessage() != null ? finished.failureMessage() : "exit code " + finished.exitCode();
            TOKENS.warn("Token {} failed after {} (attempt {} of {}): {}; {}", token.id(), took, attempt,
                    retry.maxAttempts(), why, retry.nonRetryableExitCodes().contains(finished.exitCode())
                            ? "not retried: exit code " + finished.exitCode() + " is non-retryable"
                            : retry.mayRetry(token.attempts(), finished.exitCode(), true) ? "it will be retried"
                            : "no attempts left: it goes to error");
        } else if (outcome instanceof Outcome.Failed failed) {
            TOKENS.warn("Token {} failed after {} (attempt {} of {}): {}; {}", token.id(), took, attempt,
                    retry.maxAttempts(), failed.message(), !failed.retryable() ? "not retried: the failure is non-retryable"
                            : retry.mayRetry(token.attempts(), null, true) ? "it will be retried"
                            : "no attempts left: it goes to error");
        }
    }

    private void finish(Token token, Outcome outcome, long started) {
        unfinished.decrementAndGet();
        pilot.jobFinished();
        wake();
        held.finish(token.id(), outcome, started).whenComplete((saved, error) -> {
            inFlight.decrementAndGet();
            wake();
        });
    }

    /**
     * The token's lease is gone (another worker or an operator took it over), or about to end without a renewal: its
     * job must not run on next to another worker's (a shell job is killed).
     */
    private void stopJobOf(String tokenId) {
        leaseLost.add(tokenId); // a token still waiting in the prefetch queue is released when it comes up
        Thread thread = running.get(tokenId);
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Writes this worker's presence document; without it, others learn of this worker from its first claims. */
    private void announcePresence() {
        try {
            presence.announce();
        } catch (RuntimeException e) {
            LOG.debug("Cannot announce worker {} ({}); trying again later", worker.workerId(), Failures.describe(e));
        }
    }

    /** The other workers' presence documents, into the claim shares. */
    private void learnWorkers() {
        try {
            claimer.knowWorkers(presence.readAll());
        } catch (RuntimeException e) {
            LOG.debug("Cannot read the workers' presence ({}); they show in the feed", Failures.describe(e));
        }
    }

    private void refreshPresence() {
        announcePresence();
        learnWorkers();
    }

    private void reapExpiredLeases() {
        try {
            // one view read per interval for the whole pool, not one per worker: on a pool of hundreds of pilots, each
            // read would make the server bring the index up to date again
            metrics.leasesReclaimed(settings.name(),
                    reaper.reap(held::holds, type -> claimer.isReapTurn(type, settings.reapInterval())));
            reapWarning.succeeded("Reaping expired leases works again");
        } catch (RuntimeException e) {
            reapWarning.failed("Cannot reap expired leases (" + describe(e) + "); will try again every "
                    + settings.reapInterval().toSeconds() + " s");
        }
    }

    /** A failure in words; a missing database is named, since it needs an operator rather than patience. */
    private String describe(RuntimeException e) {
        return Failures.isMissingDatabase(e) ? database + " does not exist (was it deleted?)" : Failures.describe(e);
    }

    /**
     * Changed documents from the feed: the claim queue takes them in, and the claimer wakes when there is something new
     * to claim (every worker sees every change: waking each for others' claims and results would cost them all CPU).
     */
    private void onChanges(List<ObjectNode> changed) {
        // a conflicted token is resolved first: its resolution comes back through the feed as a plain revision
        resolveConflicts(changed);
        List<ObjectNode> docs = ConflictedDocuments.without(changed);
        held.observe(docs); // first: a held token another client reset must not look claimable while its job runs
        if (claimingSwitch.observe(docs)) {
            claimingSwitched();
        }
        if (claimer.offer(docs)) {
            wake();
        }
    }

    /** The feed (re)started: what happened before it is read from the view at the next claim. */
    private void onGap() {
        claimer.markStale();
        readClaimingSwitch();
        wake();
    }

    private void readClaimingSwitch() {
        if (claimingSwitch.refresh()) {
            claimingSwitched();
        }
    }

    /** Claiming was paused or resumed: the presence document tells at once that this worker follows. */
    private void claimingSwitched() {
        announcePresence();
        wake();
    }

    private void wake() {
        wakeUp.release();
    }

    /** Waits for a wake-up or the timeout; true when woken. */
    private boolean await(Duration timeout) {
        try {
            if (wakeUp.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                wakeUp.drainPermits();
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            claiming = false;
        }
        return false;
    }

    /** Running jobs and outcomes on their way to the server, for statistics. */
    public int inFlight() {
        return inFlight.get();
    }

    public TokenClaimer claimer() {
        return claimer;
    }

    /** Claims no more tokens; jobs running and prefetched go on until {@link #stop}. */
    public void stopClaiming() {
        claiming = false;
        wake();
    }

    /**
     * Stops claiming and the periodic tasks, gives running jobs the shutdown grace to finish, then interrupts them and
     * releases their tokens, as those of prefetched jobs that never started, and withdraws the worker's presence.
     */
    public void stop() throws InterruptedException {
        stopClaiming();
        if (claimer != null) {
            claimer.close();
        }
        if (changes != null) {
            changes.stop();
        }
        if (claimThread != null) {
            claimThread.join(10_000);
        }
        tasks.cancelAll();
        executor.shutdown(); // prefetched tokens not started yet are released as they come up (claiming is off)
        Duration grace = pilot.grace(settings.shutdownGrace());
        if (!executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("{} jobs still running after the {} grace period: stopping them and releasing their tokens",
                    inFlight.get(), grace);
            stopping = true; // interrupted jobs release their tokens instead of failing them
            executor.shutdownNow();
            executor.awaitTermination(30, TimeUnit.SECONDS);
        }
        if (claimer != null) {
            LOG.info("Worker {} stopped: claimed {} tokens, lost {} claim races, sent {} CouchDB requests, {} start"
                    + " writes", worker.workerId(), claimer.claims(), claimer.conflicts(), CouchDbClients.requestCount(),
                    held == null ? 0 : held.startWrites());
        }
        if (held != null) {
            // tokens whose jobs never started (dropped from the executor's queue) go back to the pool too
            held.releaseUnfinished("worker stopped before the job started", clock.instant().getEpochSecond());
            held.close();
        }
        if (presence != null) {
            presence.withdraw();
        }
    }
}
