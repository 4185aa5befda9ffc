package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.ViewQuery;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.util.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims tokens with MVCC from the worker's claim queue ({@link ClaimableTokens}), which the queue view fills at start
 * and whenever it runs dry or may have missed something, and the _changes feed keeps current in between; every claim
 * is a write of the current document with its revision, all in one _bulk_docs, and a conflict means another worker won.
 */
public final class TokenClaimer {

    /** Tokens a worker keeps in memory to claim from; the view is read again for more once they are gone. */
    public static final int QUEUE_CAPACITY = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(TokenClaimer.class);
    /** Queue entries read anew after a claim lost most of its races. */
    private static final int RECHECKED = 200;
    private static final Backoff READ_BACK_BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(5));

    private final CouchDatabase database;
    private final List<String> types;
    private final WorkerIdentity worker;
    private final Clock clock;
    private final RandomGenerator random;
    private final long leaseSeconds;
    private final ClaimableTokens queue;
    private final ClaimShares shares;
    private final ForeignLocks foreignLocks;
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong claims = new AtomicLong();
    private final AtomicLong viewReads = new AtomicLong();
    private final InvalidTokens invalid = new InvalidTokens();
    private Map<String, List<String>> shareMembers = Map.of();
    private Predicate<Token> share = ClaimableTokens.NO_SHARE;
    private volatile boolean stale = true;
    private volatile boolean recheck;
    private volatile Function<List<ObjectNode>, List<WriteResult>> claimWrites;
    private volatile boolean closed;
    private volatile Predicate<String> heldHere = id -> false;
    private volatile Predicate<Token> mayClaim = token -> true;
    private volatile java.util.function.Consumer<List<ObjectNode>> onConflicted = docs -> { };

    public TokenClaimer(CouchDatabase database, List<String> types, WorkerIdentity worker, Clock clock,
            RandomGenerator random, long leaseSeconds) {
        this(database, types, worker, clock, random, leaseSeconds, QUEUE_CAPACITY);
    }

    public TokenClaimer(CouchDatabase database, List<String> types, WorkerIdentity worker, Clock clock,
            RandomGenerator random, long leaseSeconds, int queueCapacity) {
        this.database = database;
        this.claimWrites = database::bulkWrite;
        this.types = List.copyOf(types);
        this.worker = worker;
        this.clock = clock;
        this.random = random;
        this.leaseSeconds = leaseSeconds;
        this.queue = new ClaimableTokens(new HashSet<>(types), queueCapacity);
        // a worker renews its leases every third of one and claims or finishes tokens far more often while busy
        this.shares = new ClaimShares(worker.workerId(), leaseSeconds * 1000 / 3 + 10_000);
        this.foreignLocks = new ForeignLocks(leaseSeconds * 1000);
    }

    /**
     * Sends claim writes through {@code writes} (one _bulk_docs for the given documents, results in order) instead of a
     * request of their own: the worker's writer, which sends them along with results and renewals.
     */
    public void writeClaimsThrough(Function<List<ObjectNode>, List<WriteResult>> writes) {
        this.claimWrites = writes;
    }

    /**
     * Never claims a token this worker still holds: a token another client reset while its job runs waits until that
     * job's result is resolved (stopped and recorded as superseded), so that one claim's result never lands on another.
     */
    public void skipHeld(Predicate<String> held) {
        this.heldHere = held;
    }

    /**
     * Claims only tokens that pass {@code test} (a pilot's time limit: one that would not end in time), leaving the
     * others to other workers; a test that fails a token once is expected to fail it from then on.
     */
    public void onlyClaim(Predicate<Token> test) {
        this.mayClaim = test;
    }

    /**
     * Hands todo tokens the view shows with conflicting revisions to {@code resolver} instead of queueing them: the
     * winner CouchDB shows may hide a finished revision. Resolved, they come back through the feed.
     */
    public void onConflicted(java.util.function.Consumer<List<ObjectNode>> resolver) {
        this.onConflicted = resolver;
    }

    /** Claims up to {@code max} tokens, others' shares included (see {@link #claim(int, int)}). */
    public List<Token> claim(int max) {
        return claim(max, max);
    }

    /**
     * Claims up to {@code max} tokens, best priority first, this worker's own share first (see {@link ClaimShares});
     * of other workers' shares at most {@code maxOfOthers} (tokens for idle slots: prefetching from others' shares
     * would only race their owners), unless no other worker has been seen. Reads the view first when the queue may be
     * out of date, or when it has run dry but the last view read did not see everything.
     */
    public List<Token> claim(int max, int maxOfOthers) {
        if (max <= 0) {
            return List.of();
        }
        if (stale) {
            readView();
        } else if (recheck) {
            recheckNextPicks();
        }
        long now = clock.instant().getEpochSecond();
        Predicate<Token> mine = share(clock.millis());
        List<Token> candidates = takeClaimable(max, maxOfOthers, now, mine);
        if (candidates.isEmpty() && !queue.isComplete()) {
            readView();
            candidates = takeClaimable(max, maxOfOthers, now, mine);
        }
        return write(candidates.stream().filter(t -> !heldHere.test(t.id())).toList(), now);
    }

    /**
     * This worker's share as the workers seen now make it: the same predicate for as long as they stay the same, so
     * that the claim queue parts its tokens anew only when a worker comes or goes.
     */
    private Predicate<Token> share(long nowMillis) {
        Map<String, List<String>> alive = aliveByType(nowMillis);
        if (!alive.equals(shareMembers)) {
            shareMembers = alive;
            share = othersAmong(alive) ? shares.mine(nowMillis) : ClaimableTokens.NO_SHARE;
        }
        return share;
    }

    /** The workers present for each of our types, this worker first. */
    private Map<String, List<String>> aliveByType(long nowMillis) {
        Map<String, List<String>> alive = new HashMap<>();
        for (String type : types) {
            alive.put(type, shares.alive(type, nowMillis));
        }
        return alive;
    }

    private static boolean othersAmong(Map<String, List<String>> alive) {
        return alive.values().stream().anyMatch(workers -> workers.size() > 1);
    }

    /** Tokens taken from the queue that this worker may claim; those it may not leave the queue for good. */
    private List<Token> takeClaimable(int max, int maxOfOthers, long now, Predicate<Token> mine) {
        while (true) {
            List<Token> taken = take(max, maxOfOthers, now, mine);
            List<Token> claimable = taken.stream().filter(mayClaim).toList();
            if (!claimable.isEmpty() || taken.isEmpty()) {
                return claimable;
            }
        }
    }

    private List<Token> take(int max, int maxOfOthers, long now, Predicate<Token> mine) {
        // a worker that has seen no other has no share: everything it takes is "others'", and all of it is its to take
        int ofOthers = mine == ClaimableTokens.NO_SHARE ? max : maxOfOthers;
        return queue.take(max, ofOthers, now, random, mine);
    }

    /**
     * Documents as the changes feed delivered them (current revisions): the queue takes in or drops each one. True when
     * there is something new to claim (a todo token, or a worker came or went); others' claims and results only
     * shorten the queue.
     */
    public boolean offer(List<ObjectNode> docs) {
        long nowMillis = clock.millis();
        boolean claimable = false;
        for (ObjectNode doc : docs) {
            if (WorkerPresence.isPresence(doc)) {
                WorkerPresence.read(doc).ifPresent(worker -> shares.announced(worker, nowMillis));
                claimable = true; // a worker came or went: the shares change
                continue;
            }
            if (isServed(doc) && invalid.check(doc)) {
                queue.remove(doc.path("_id").asText());
            } else {
                Token token = new Token(doc);
                if (isServed(doc)) {
                    shares.saw(token, nowMillis);
                    foreignLocks.saw(token, nowMillis);
                }
                claimable |= enqueue(token);
            }
        }
        return claimable;
    }

    /** Whether another worker serves one of our types now (announced, or seen writing its tokens lately). */
    public boolean seesOtherWorkers() {
        return othersAmong(aliveByType(clock.millis()));
    }

    /** Whether a PiCaS pilot (any client but Couchwork) locked one of our tokens within the last lease duration. */
    public boolean seesForeignLocks() {
        return foreignLocks.recent(clock.millis());
    }

    /** Whether reaping {@code type}'s expired leases is this worker's turn now (see {@link ClaimShares#isTurn}). */
    public boolean isReapTurn(String type, java.time.Duration interval) {
        return shares.isTurn(type, clock.millis(), interval.toMillis());
    }

    /** Workers' presence documents, as read at start and now and then (the feed delivers those written later). */
    public void knowWorkers(List<ObjectNode> presenceDocs) {
        offer(presenceDocs);
    }

    /** Reports the invalid tokens of our types already in the database (the feed reports those written later). */
    public void reportInvalidTokens() {
        for (String type : types) {
            List<JsonNode> rows = database.view(TokenViews.COUCHWORK_DESIGN, TokenViews.STATES,
                    new ViewQuery(List.of(type, "invalid"), List.of(type, "invalid"), null, 100L, true, false, null));
            for (JsonNode row : rows) {
                if (row.path("doc").isObject()) {
                    invalid.check(row.get("doc"));
                }
            }
        }
    }

    private boolean isServed(ObjectNode doc) {
        // documents without a type (a design document PiCaS's add_view wrote, any other) are simply not ours
        String type = doc.path(TokenFields.TYPE).asText(null);
        return type != null && types.contains(type) && !doc.path("_deleted").asBoolean(false);
    }

    /** The queue may have missed changes (a gap in the feed, or the safety-net poll): read the view at the next claim. */
    public void markStale() {
        stale = true;
    }

    private List<Token> write(List<Token> candidates, long now) {
        if (candidates.isEmpty()) {
            return List.of();
        }
        List<Token> claimed = new ArrayList<>(candidates.size());
        List<ObjectNode> writes = new ArrayList<>(candidates.size());
        for (Token candidate : candidates) {
            Token next = candidate.claimed(worker, UUID.randomUUID().toString(), now, now + leaseSeconds);
            claimed.add(next);
            writes.add(next.document());
        }
        List<WriteResult> results;
        try {
            results = claimWrites.apply(writes);
        } catch (RuntimeException e) {
            // the claims may have gone through all the same (a dropped connection, a 500 after the write, a timeout)
            Optional<List<Token>> adopted = adoptLostClaims(claimed);
            if (adopted.isPresent() && !adopted.get().isEmpty()) {
                claims.addAndGet(adopted.get().size());
                return adopted.get();
            }
            if (adopted.isEmpty()) {
                stale = true; // what became of them is unknown: the view tells at the next claim
            }
            throw e;
        }
        List<Token> won = new ArrayList<>(results.size());
        List<Token> refused = new ArrayList<>();
        List<Token> accepted = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            WriteResult result = results.get(i);
            if (result.ok()) {
                (result.accepted() ? accepted : won).add(claimed.get(i).withRev(result.rev()));
            } else {
                refused.add(claimed.get(i));
            }
        }
        int lost = 0;
        if (!accepted.isEmpty()) {
            List<Token> confirmed = confirmAccepted(accepted);
            won.addAll(confirmed);
            lost += accepted.size() - confirmed.size();
        }
        if (!refused.isEmpty()) {
            // a conflict is usually a race lost to another worker, but it can also be our own claim: written once,
            // its answer lost, and written again by the client's retry
            List<Token> ours = adoptLostClaims(refused).orElse(List.of());
            won.addAll(ours);
            lost += refused.size() - ours.size();
            LOG.debug("Lost {} of {} claim races", lost, candidates.size());
        }
        conflicts.addAndGet(lost);
        queue.contention(candidates.size(), lost);
        if (lost > 0 && 2 * lost >= candidates.size()) {
            // most of what the queue offered was taken already: our feed lags behind the others' claims (a busy
            // machine, a slow server); what the next claim would pick is read anew first
            recheck = true;
        }
        claims.addAndGet(won.size());
        return won;
    }

    /**
     * Claims answered 202 Accepted (a CouchDB 3 cluster wrote them to fewer copies than the quorum: another node may
     * have taken a competing claim meanwhile) are read back with their conflicts before any job runs: a claim is ours
     * when it is the token's one revision. A conflicted token goes to the resolver first, and is ours only if the
     * resolution kept our claim. When the read-back fails the claims stand: a conflict that shows later is resolved
     * then, and a duplicate execution it reveals is recorded.
     */
    private List<Token> confirmAccepted(List<Token> accepted) {
        Map<String, Token> byId = new HashMap<>();
        accepted.forEach(t -> byId.put(t.id(), t));
        try {
            List<ObjectNode> docs = database.getAllWithConflicts(byId.keySet());
            List<ObjectNode> conflicted = ConflictedDocuments.among(docs);
            if (!conflicted.isEmpty()) {
                onConflicted.accept(conflicted);
                docs = database.getAllWithConflicts(byId.keySet());
            }
            List<Token> confirmed = new ArrayList<>();
            for (ObjectNode doc : docs) {
                Token current = new Token(doc);
                Token mine = byId.get(current.id());
                if (mine == null || ConflictedDocuments.isConflicted(doc)) {
                    continue;
                }
                if (isOurs(mine, current)) {
                    confirmed.add(current);
                } else {
                    queue.offer(current); // as it is now: someone else's claim leaves the queue
                }
            }
            LOG.debug("{} of {} claims answered 202 Accepted confirmed", confirmed.size(), accepted.size());
            return confirmed;
        } catch (RuntimeException e) {
            LOG.debug("Cannot read back {} claims answered 202 Accepted ({}); they stand", accepted.size(),
                    Failures.describe(e));
            return accepted;
        }
    }

    /**
     * After a claim write whose answer never came (a dropped connection, a timeout) or was a conflict (the client's
     * retry of a write the server had applied before it answered 500): the claims the server did apply are ours,
     * recognised by their claim ids, so they run now instead of waiting out a lease nobody renews. The tokens are read
     * back until the server answers, with backoff, for as long as the claims' lease lasts; empty when it never did
     * (the claims that went through then expire, which costs the tokens no attempt).
     */
    private Optional<List<Token>> adoptLostClaims(List<Token> attempted) {
        Map<String, Token> byId = new HashMap<>();
        attempted.forEach(t -> byId.put(t.id(), t));
        long deadline = System.nanoTime() + Duration.ofSeconds(leaseSeconds).toNanos();
        for (int attempt = 1; ; attempt++) {
            List<ObjectNode> docs;
            try {
                docs = database.getAll(byId.keySet());
            } catch (RuntimeException stillFailing) {
                Duration delay = READ_BACK_BACKOFF.delay(attempt, random);
                if (closed || System.nanoTime() + delay.toNanos() > deadline) {
                    LOG.warn("Cannot tell whether {} claims went through ({}); those that did wait for their lease to"
                            + " expire", attempted.size(), Failures.describe(stillFailing));
                    return Optional.empty();
                }
                LOG.debug("Cannot read back {} claims ({}); again in {} ms", attempted.size(),
                        Failures.describe(stillFailing), delay.toMillis());
                if (!sleep(delay)) {
                    return Optional.empty();
                }
                continue;
            }
            List<Token> adopted = new ArrayList<>();
            for (ObjectNode doc : docs) {
                Token current = new Token(doc);
                Token mine = byId.get(current.id());
                if (mine == null) {
                    continue;
                }
                queue.offer(current); // as it is now: a locked one, ours or not, leaves the queue
                shares.saw(current, clock.millis()); // whoever won the race is alive
                if (isOurs(mine, current)) {
                    adopted.add(current);
                }
            }
            return Optional.of(adopted);
        }
    }

    /** True when {@code current} (read back) is still the claim {@code mine} made. */
    private static boolean isOurs(Token mine, Token current) {
        return current.state() == TokenState.LOCKED && mine.claimId().equals(current.claimId());
    }

    /** Stops waiting for the server in read-backs of lost claims (the worker is stopping). */
    public void close() {
        closed = true;
    }

    private static boolean sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Seconds until the earliest delayed token is due (it waits for a retry or its not_before), if any. */
    public OptionalLong secondsUntilNextDue() {
        return queue.secondsUntilNextDue(clock.instant().getEpochSecond());
    }

    /** Claim writes that lost a race, since start. */
    public long conflicts() {
        return conflicts.get();
    }

    public long claims() {
        return claims.get();
    }

    /** Tokens in the claim queue now. */
    public int queued() {
        return queue.size();
    }

    /** View reads since start: at start, when the queue ran dry or might have missed changes. */
    public long viewReads() {
        return viewReads.get();
    }

    /**
     * Reads the current revisions of the entries the next claim would pick from (by id, one request: cheaper than a view
     * read, whose index may have thousands of changes to catch up on), so that those taken meanwhile leave the queue.
     */
    private void recheckNextPicks() {
        recheck = false;
        List<String> ids = queue.nextPicks(RECHECKED);
        List<ObjectNode> current = database.getAllWithConflicts(ids);
        Set<String> found = new HashSet<>();
        current.forEach(doc -> found.add(doc.path("_id").asText()));
        ids.stream().filter(id -> !found.contains(id)).forEach(queue::remove); // deleted meanwhile
        List<ObjectNode> conflicted = ConflictedDocuments.among(current);
        conflicted.forEach(doc -> queue.remove(doc.path("_id").asText()));
        offer(ConflictedDocuments.without(current));
        if (!conflicted.isEmpty()) {
            onConflicted.accept(conflicted);
        }
    }

    /** Todo tokens of our types from the queue view, current documents included, into the claim queue. */
    private void readView() {
        stale = false; // first: a gap reported while we read is read again next time
        viewReads.incrementAndGet();
        long limit = Math.max(1, queue.capacity() / (2L * types.size()));
        boolean sawEverything = true;
        long mark = queue.mark();
        Set<String> shown = new HashSet<>();
        List<ObjectNode> conflicted = new ArrayList<>();
        for (String type : types) {
            for (String kind : List.of(TokenViews.READY, TokenViews.DELAYED)) {
                List<JsonNode> rows = queue(ViewQuery.range(List.of(type, kind), List.of(type, kind, Map.of()))
                        .limit(limit).withDocsAndConflicts());
                sawEverything &= rows.size() < limit;
                for (JsonNode row : rows) {
                    shown.add(row.path("id").asText());
                    if (ConflictedDocuments.isConflicted(row.path("doc"))) {
                        conflicted.add((ObjectNode) row.get("doc"));
                        queue.remove(row.path("id").asText());
                    } else if (row.path("doc").isObject() && !invalid.check(row.get("doc"))) {
                        enqueue(new Token((ObjectNode) row.get("doc")));
                    }
                }
            }
        }
        if (sawEverything) {
            queue.retainOnly(shown, mark);
        }
        queue.markComplete(sawEverything);
        if (!conflicted.isEmpty()) {
            onConflicted.accept(conflicted);
        }
    }

    /** Into the claim queue, or out of it when it is a todo token this worker may not claim. */
    private boolean enqueue(Token token) {
        if (token.state() == TokenState.TODO && types.contains(token.type()) && !mayClaim.test(token)) {
            queue.remove(token.id());
            return false;
        }
        return queue.offer(token);
    }

    private List<JsonNode> queue(ViewQuery query) {
        return database.view(TokenViews.QUEUE_DESIGN, TokenViews.QUEUE, query);
    }
}
