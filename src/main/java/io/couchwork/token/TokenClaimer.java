package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.ViewQuery;
import io.couchwork.couchdb.WriteResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Claims tokens with MVCC: reads candidates from the views with their current documents, re-checks each document (never
 * the view row, which may be stale), and writes all claims in one _bulk_docs; a conflict means another worker won.
 */
public final class TokenClaimer {

    private final CouchDatabase database;
    private final List<String> types;
    private final WorkerIdentity worker;
    private final Clock clock;
    private final RandomGenerator random;
    private final long leaseSeconds;
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong claims = new AtomicLong();
    private volatile long lastDelayedLook;

    public TokenClaimer(CouchDatabase database, List<String> types, WorkerIdentity worker, Clock clock,
            RandomGenerator random, long leaseSeconds) {
        this.database = database;
        this.types = List.copyOf(types);
        this.worker = worker;
        this.clock = clock;
        this.random = random;
        this.leaseSeconds = leaseSeconds;
    }

    /** Claims up to {@code max} tokens, best priority first; returns those this worker now holds. */
    public List<Token> claim(int max) {
        if (max <= 0) {
            return List.of();
        }
        long now = clock.instant().getEpochSecond();
        return write(pick(candidates(max, now), max), now);
    }

    /**
     * Claims straight from documents the changes feed just delivered (current revisions), skipping the view read: the
     * fast path that wakes an idle worker. Documents that are not claimable tokens of our types are ignored.
     */
    public List<Token> claimFrom(List<ObjectNode> docs, int max) {
        long now = clock.instant().getEpochSecond();
        List<Token> candidates = new ArrayList<>();
        for (ObjectNode doc : docs) {
            Token token = new Token(doc);
            if (types.contains(token.type()) && isClaimable(token, token.type(), now)) {
                candidates.add(token);
            }
        }
        return write(pick(candidates, max), now);
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
        List<WriteResult> results = database.bulkWrite(writes);
        List<Token> won = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            WriteResult result = results.get(i);
            if (result.ok()) {
                won.add(claimed.get(i).withRev(result.rev()));
            } else {
                conflicts.incrementAndGet(); // lost the race: someone else holds it now
            }
        }
        claims.addAndGet(won.size());
        return won;
    }

    /** Seconds until the earliest delayed token is due (it waits for a retry or its not_before), if any. */
    public java.util.OptionalLong secondsUntilNextDue() {
        long now = clock.instant().getEpochSecond();
        long earliest = Long.MAX_VALUE;
        for (String type : types) {
            List<JsonNode> rows = queue(ViewQuery.range(List.of(type, TokenViews.DELAYED, now + 1),
                    List.of(type, TokenViews.DELAYED, Map.of())).limit(1));
            for (JsonNode row : rows) {
                earliest = Math.min(earliest, row.path("key").path(2).asLong(Long.MAX_VALUE));
            }
        }
        return earliest == Long.MAX_VALUE ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(earliest - now);
    }

    /** Claim writes that lost a race, since start. */
    public long conflicts() {
        return conflicts.get();
    }

    public long claims() {
        return claims.get();
    }

    /** Ready tokens by priority, and delayed tokens whose time has come, as current documents. */
    private List<Token> candidates(int max, long now) {
        // read past the first rows so that concurrent workers spread over different tokens; each row costs a
        // document read, so not too far
        long window = Math.min(2L * max + 16, 200);
        Map<String, Token> byId = new LinkedHashMap<>();
        for (String type : types) {
            List<JsonNode> ready = queue(ViewQuery.range(List.of(type, TokenViews.READY),
                    List.of(type, TokenViews.READY, Map.of())).limit(window).withDocs());
            // retries come due by the second: look at delayed tokens at most once a second, or when ready ones run short
            List<JsonNode> due = List.of();
            if (ready.size() < max || now != lastDelayedLook) {
                due = queue(ViewQuery.range(List.of(type, TokenViews.DELAYED, 0), List.of(type, TokenViews.DELAYED, now))
                        .limit(window).withDocs());
            }
            for (JsonNode row : concat(ready, due)) {
                if (row.path("doc").isObject()) {
                    Token token = new Token((ObjectNode) row.get("doc"));
                    if (isClaimable(token, type, now)) {
                        byId.putIfAbsent(token.id(), token);
                    }
                }
            }
        }
        lastDelayedLook = now;
        return new ArrayList<>(byId.values());
    }

    private List<JsonNode> queue(ViewQuery query) {
        return database.view(TokenViews.QUEUE_DESIGN, TokenViews.QUEUE, query);
    }

    /** The document itself must still be a todo token of this type whose time has come. */
    static boolean isClaimable(Token token, String type, long now) {
        return token.state() == TokenState.TODO && type.equals(token.type()) && token.notBefore() <= now;
    }

    /** Best priority first; within one priority, a random choice among the oldest, to avoid a thundering herd. */
    private List<Token> pick(List<Token> candidates, int max) {
        if (candidates.size() <= max) {
            return candidates;
        }
        candidates.sort(Comparator.comparingLong((Token t) -> -t.priority()));
        List<Token> picked = new ArrayList<>(max);
        int i = 0;
        while (picked.size() < max && i < candidates.size()) {
            int j = i;
            while (j < candidates.size() && candidates.get(j).priority() == candidates.get(i).priority()) {
                j++;
            }
            List<Token> level = new ArrayList<>(candidates.subList(i, j));
            shuffle(level);
            for (Token t : level) {
                if (picked.size() == max) {
                    break;
                }
                picked.add(t);
            }
            i = j;
        }
        return picked;
    }

    private void shuffle(List<Token> list) {
        for (int k = list.size() - 1; k > 0; k--) {
            Collections.swap(list, k, random.nextInt(k + 1));
        }
    }

    private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
        List<JsonNode> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
