package io.couchwork.camel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDbClients;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
import io.couchwork.exec.CommandFailedException;
import io.couchwork.metrics.PoolMetrics;
import io.couchwork.token.DesignDocuments;
import io.couchwork.token.HeldTokens;
import io.couchwork.token.LeaseReaper;
import io.couchwork.token.LogAttachment;
import io.couchwork.token.NonRetryable;
import io.couchwork.token.Outcome;
import io.couchwork.token.OutcomeApplier;
import io.couchwork.token.PrefetchDepth;
import io.couchwork.token.Token;
import io.couchwork.token.TokenClaimer;
import io.couchwork.token.WorkerPresence;
import io.couchwork.util.Backoff;
import io.couchwork.util.ThrottledWarning;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a token pool: claims tokens when execution slots are free, from a claim queue the _changes feed keeps current
 * (the view is read at start, when the queue runs dry, after a gap in the feed, and as a safety net when idle for a
 * poll interval), runs each through the route, and records the outcome: done, retry later, or error. Renews the leases of
 * running tokens, reaps expired ones, and on shutdown lets running jobs finish within a grace period, then releases
 * what is left to the pool without counting an attempt.
 */

public class TokenPoolConsumer extends DefaultConsumer implements ShutdownAware {

    private static final Logger LOG = LoggerFactory.getLogger(TokenPoolConsumer.class);
    private static final Backoff CLAIM_BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(30));

    private final TokenPoolEndpoint endpoint;
    private final Clock clock;
    private final Semaphore wakeUp = new Semaphore(0);
    private final AtomicInteger inFlight = new AtomicInteger();
    // claimed and not yet executed to the end: what occupies the slots and the prefetch room (tokens whose outcome is
    // on its way to the server do not, or a slow server's write time would eat the prefetch)
    private final AtomicInteger unfinished = new AtomicInteger();
    private final Map<String, Thread> running = new ConcurrentHashMap<>();
    private final Set<String> leaseLost = ConcurrentHashMap.newKeySet();
    private volatile boolean claiming;
    private volatile boolean stopping;
    private volatile boolean viewsMissing;
    // a failure that persists (a deleted database, a server that is down) is logged once a minute, not at every try
    private final ThrottledWarning claimWarning = new ThrottledWarning(LOG, Duration.ofMinutes(1), Clock.systemUTC());
    private final ThrottledWarning reapWarning = new ThrottledWarning(LOG, Duration.ofMinutes(1), Clock.systemUTC());
    private HeldTokens held;
    private TokenClaimer claimer;
    private LeaseReaper reaper;
    private ExecutorService executor;
    private ScheduledExecutorService scheduler;
    private TokenChangesFeed changes;
    private Thread claimThread;
    private PoolMetrics metrics;
    private PrefetchDepth prefetch;
    private WorkerPresence presence;

    public TokenPoolConsumer(TokenPoolEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.clock = endpoint.getComponent().clock();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        TokenPoolComponent component = endpoint.getComponent();
        metrics = PoolMetrics.of(getEndpoint().getCamelContext());
        List<String> types = endpoint.typeList();
        try {
            new DesignDocuments(component.database()).installFor(types);
        } catch (RuntimeException e) {
            if (!Failures.isTransient(e)) {
                throw e;
            }
            // a server fault is no reason not to start: the claim loop installs them, with backoff
            LOG.warn("Cannot install the views yet ({}); trying again before the first claim", Failures.describe(e));
            viewsMissing = true;
        }
        long leaseSeconds = endpoint.lease().toSeconds();
        OutcomeApplier applier = new OutcomeApplier(endpoint.retryPolicy(), endpoint.getMaxLeaseExpiries(), new Random());
        held = new HeldTokens(component.database(), applier, component.worker(), clock, leaseSeconds,
                endpoint.writeInterval(), endpoint.name());
        held.onLeaseLost(this::stopJobOf);
        claimer = new TokenClaimer(component.database(), types, component.worker(), clock, new Random(), leaseSeconds);
        claimer.writeClaimsThrough(held::writeClaims); // claims ride along with results: one request, not two
        reaper = new LeaseReaper(component.database(), types, applier, clock, endpoint.unleasedLock().toSeconds());
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newFixedThreadPool(this, "couchwork-job-" + endpoint.name(), endpoint.getConcurrency());
        // two threads: a reap that waits for a slow server never holds up the renewals and lease checks
        scheduler = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newScheduledThreadPool(this, "couchwork-lease-" + endpoint.name(), 2);
        long renewMillis = Math.max(1000, endpoint.lease().toMillis() / 3);
        scheduler.scheduleWithFixedDelay(held::renewLeases, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
        presence = new WorkerPresence(component.database(), component.worker(), types, clock,
                Duration.ofMillis(renewMillis));
        announcePresence();
        scheduler.scheduleWithFixedDelay(this::refreshPresence, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
        long checkMillis = held.leaseCheckInterval().toMillis();
        scheduler.scheduleWithFixedDelay(held::stopJobsWhoseLeaseRunsOut, checkMillis, checkMillis,
                TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::reapExpiredLeases, 0, endpoint.reap().toMillis(), TimeUnit.MILLISECONDS);
        if (endpoint.isFollowChanges()) {
            changes = new TokenChangesFeed(component.database(), this::onChanges, this::onGap, endpoint.name());
            changes.start();
        }
        prefetch = endpoint.prefetchDepth();
        learnWorkers(); // after the feed took its starting point: a worker announced from then on arrives by the feed
        claiming = true;
        claimThread = new Thread(this::claimLoop, "couchwork-claim-" + endpoint.name());
        claimThread.start();
        LOG.info("Worker {} serves token types {} of {} with {} parallel executions, lease {}",
                component.worker().workerId(), types, component.database(), endpoint.getConcurrency(),
                endpoint.lease());
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
        while (claiming) {
            int ahead = prefetch.depth();
            int capacity = endpoint.getConcurrency() + ahead;
            int threshold = Math.max(1, (ahead + 1) / 2);
            int running = unfinished.get();
            int room = capacity - running;
            boolean writesBehind = inFlight.get() - running > 4 * capacity; // outcomes pile up: let them catch up
            if (room <= 0 || writesBehind || (running >= endpoint.getConcurrency() && room < threshold)) {
                await(endpoint.poll()); // busy: a finished job wakes us
                continue;
            }
            try {
                if (viewsMissing) {
                    new DesignDocuments(endpoint.getComponent().database()).installFor(endpoint.typeList());
                    viewsMissing = false;
                }
                if (changes == null) {
                    claimer.markStale(); // no feed keeps the claim queue current: read the view each time
                }
                long t0 = System.nanoTime();
                int idleSlots = Math.max(0, endpoint.getConcurrency() - running);
                List<Token> tokens = claimer.claim(Math.min(room, endpoint.getClaimBatch()), idleSlots);
                if (!tokens.isEmpty()) {
                    prefetch.claimTook(System.nanoTime() - t0);
                }
                metrics.claimed(endpoint.name(), claimer);
                LOG.debug("Claimed {} of {} wanted in {} ms", tokens.size(), Math.min(room, endpoint.getClaimBatch()),
                        (System.nanoTime() - t0) / 1_000_000);
                failures = 0;
                claimWarning.succeeded("Claiming tokens works again");
                tokens.forEach(this::start);
                if (tokens.isEmpty()) {
                    // nothing claimable: a change, a finished job or a due retry wakes us
                    Duration wait = untilNextLook();
                    if (!await(wait) && wait.equals(endpoint.poll())) {
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

    /** The poll interval, or less when a delayed token comes due sooner. */
    private Duration untilNextLook() {
        Duration poll = endpoint.poll();
        OptionalLong due = claimer.secondsUntilNextDue();
        if (due.isPresent() && Duration.ofSeconds(due.getAsLong()).compareTo(poll) < 0) {
            return Duration.ofSeconds(Math.max(0, due.getAsLong())).plusMillis(50);
        }
        return poll;
    }

    private void start(Token token) {
        leaseLost.remove(token.id());
        held.hold(token);
        inFlight.incrementAndGet();
        unfinished.incrementAndGet();
        try {
            executor.execute(() -> execute(token));
        } catch (RuntimeException rejected) {
            finish(token, new Outcome.Released("worker stopping"), clock.instant().getEpochSecond());
        }
    }

    private void execute(Token token) {
        long started = clock.instant().getEpochSecond();
        long t0 = System.nanoTime();
        if (!claiming) {
            finish(token, new Outcome.Released("worker stopping before the job started"), started);
            return;
        }
        // registered before the lease check, as stopJobOf marks before it looks: one of the two sees the other
        running.put(token.id(), Thread.currentThread());
        if (leaseLost.remove(token.id())) {
            running.remove(token.id());
            finish(token, new Outcome.Released("the lease was lost before the job started"), started);
            return;
        }
        Exchange exchange = createExchange(false);
        Outcome outcome;
        try {
            byte[] json = Json.bytes(token.document());
            exchange.getMessage().setBody(new String(json, StandardCharsets.UTF_8));
            exchange.setProperty(CouchworkHeaders.TOKEN_JSON_PROPERTY, json);
            exchange.getMessage().setHeader(CouchworkHeaders.TOKEN_ID, token.id());
            exchange.getMessage().setHeader(CouchworkHeaders.TOKEN_TYPE, token.type());
            exchange.getMessage().setHeader(CouchworkHeaders.ATTEMPT, token.attempts() + 1);
            exchange.setProperty(CouchworkHeaders.TOKEN_PROPERTY, token.document());
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            } finally {
                running.remove(token.id());
                Thread.interrupted(); // a lease lost just as the job ended must not leak into the next one
            }
            outcome = leaseLost.remove(token.id())
                    ? new Outcome.Released("the lease was lost during the job")
                    : outcomeOf(exchange);
        } catch (RuntimeException e) {
            outcome = new Outcome.Failed(Failures.describe(e), e.getClass().getName(), true, List.of());
        } finally {
            releaseExchange(exchange, false);
        }
        prefetch.jobTook(System.nanoTime() - t0);
        LOG.debug("Token {} ran in {} ms", token.id(), (System.nanoTime() - t0) / 1_000_000);
        reportFailure(token, outcome);
        metrics.executed(endpoint.name(), token, outcome, endpoint.retryPolicy(), System.nanoTime() - t0);
        finish(token, outcome, started);
    }

    /** A failed attempt is worth a line naming the token: the document holds the details. */
    private static void reportFailure(Token token, Outcome outcome) {
        String why = null;
        if (outcome instanceof Outcome.Finished finished && finished.exitCode() != 0) {
            why = finished.failureMessage() != null ? finished.failureMessage() : "exit code " + finished.exitCode();
        } else if (outcome instanceof Outcome.Failed failed) {
            why = failed.message() + (failed.retryable() ? "" : " (not retried)");
        }
        if (why != null) {
            LOG.warn("Token {} failed (attempt {}): {}", token.id(), token.attempts() + 1, why);
        }
    }

    private void finish(Token token, Outcome outcome, long started) {
        unfinished.decrementAndGet();
        wake();
        held.finish(token.id(), outcome, started).whenComplete((saved, error) -> {
            inFlight.decrementAndGet();
            wake();
        });
    }

    @SuppressWarnings("unchecked")
    private Outcome outcomeOf(Exchange exchange) {
        Exception error = exchange.getException();
        if (error == null) {
            Object codeHeader = exchange.getMessage().getHeader(CouchworkHeaders.EXIT_CODE);
            int exitCode = codeHeader instanceof Number n ? n.intValue() : 0;
            List<LogAttachment> logs = exchange.getProperty(CouchworkHeaders.LOGS_PROPERTY, List.class);
            return new Outcome.Finished(exitCode, output(exchange.getMessage().getBody()), logs, null);
        }
        if (stopping && isInterruption(error)) {
            return new Outcome.Released("worker stopped during the job");
        }
        CommandFailedException failedCommand = exchange.getException(CommandFailedException.class);
        if (failedCommand != null) {
            return new Outcome.Finished(failedCommand.exitCode(), output(failedCommand.stdoutTail()),
                    failedCommand.logs(), failedCommand.getMessage());
        }
        boolean retryable = true;
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            retryable &= !(t instanceof NonRetryable);
        }
        return new Outcome.Failed(Failures.describe(error), error.getClass().getName(), retryable, List.of());
    }

    /** The reply body as the token's output: JSON stays JSON, text stays text, cut to maxOutputBytes. */
    private JsonNode output(Object body) {
        if (body == null) {
            return null;
        }
        String text;
        if (body instanceof String s) {
            text = s;
        } else if (body instanceof byte[] || body instanceof java.io.InputStream) {
            text = getEndpoint().getCamelContext().getTypeConverter().convertTo(String.class, body);
        } else {
            try {
                return Json.MAPPER.valueToTree(body);
            } catch (IllegalArgumentException notJson) {
                text = String.valueOf(body);
            }
        }
        if (text == null) {
            return null;
        }
        String trimmed = text.strip();
        if ((trimmed.startsWith("{") || trimmed.startsWith("[")) && text.length() <= endpoint.getMaxOutputBytes()) {
            try {
                return Json.MAPPER.readTree(trimmed);
            } catch (Exception notJson) {
                // plain text that happens to start with a bracket
            }
        }
        int max = endpoint.getMaxOutputBytes();
        return Json.MAPPER.getNodeFactory().textNode(text.length() <= max ? text : text.substring(text.length() - max));
    }

    private static boolean isInterruption(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
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
            LOG.debug("Cannot announce worker {} ({}); trying again later", endpoint.getComponent().worker().workerId(),
                    Failures.describe(e));
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
            metrics.leasesReclaimed(endpoint.name(), reaper.reap(held::holds));
            reapWarning.succeeded("Reaping expired leases works again");
        } catch (RuntimeException e) {
            reapWarning.failed("Cannot reap expired leases (" + describe(e) + "); will try again every "
                    + endpoint.reap().toSeconds() + " s");
        }
    }

    /** A failure in words; a missing database is named, since it needs an operator rather than patience. */
    private String describe(RuntimeException e) {
        return Failures.isMissingDatabase(e)
                ? endpoint.getComponent().database() + " does not exist (was it deleted?)"
                : Failures.describe(e);
    }

    /**
     * Changed documents from the feed: the claim queue takes them in, and the claimer wakes when there is something new
     * to claim (every worker sees every change: waking each for others' claims and results would cost them all CPU).
     */
    private void onChanges(List<ObjectNode> docs) {
        if (claimer.offer(docs)) {
            wake();
        }
    }

    /** The feed (re)started: what happened before it is read from the view at the next claim. */
    private void onGap() {
        claimer.markStale();
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

    /** Running jobs, for statistics. */
    public int inFlight() {
        return inFlight.get();
    }

    public TokenClaimer claimer() {
        return claimer;
    }

    @Override
    public boolean deferShutdown(ShutdownRunningTask shutdownRunningTask) {
        return false;
    }

    @Override
    public int getPendingExchangesSize() {
        return 0;
    }

    @Override
    public void prepareShutdown(boolean suspendOnly, boolean forced) {
        claiming = false;
        wake();
    }

    @Override
    protected void doStop() throws Exception {
        claiming = false;
        wake();
        if (claimer != null) {
            claimer.close();
        }
        if (changes != null) {
            changes.stop();
        }
        if (claimThread != null) {
            claimThread.join(10_000);
        }
        if (scheduler != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(scheduler);
        }
        if (executor != null) {
            executor.shutdown(); // prefetched tokens not started yet are released as they come up (claiming is off)
            if (!executor.awaitTermination(endpoint.grace().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} jobs still running after the {} grace period: stopping them and releasing their tokens",
                        inFlight.get(), endpoint.grace());
                stopping = true; // interrupted jobs release their tokens instead of failing them
                executor.shutdownNow();
                executor.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
        if (claimer != null) {
            LOG.info("Worker {} stopped: claimed {} tokens, lost {} claim races, sent {} CouchDB requests",
                    endpoint.getComponent().worker().workerId(), claimer.claims(), claimer.conflicts(),
                    CouchDbClients.requestCount());
        }
        if (held != null) {
            // tokens whose jobs never started (dropped from the executor's queue) go back to the pool too
            held.releaseUnfinished("worker stopped before the job started", clock.instant().getEpochSecond());
            held.close();
        }
        if (presence != null) {
            presence.withdraw();
        }
        super.doStop();
    }
}
