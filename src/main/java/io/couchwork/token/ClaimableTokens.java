package io.couchwork.token;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * The todo tokens of a worker's types as it last saw them, from the queue view and the _changes feed: an in-memory
 * claim queue in the view's order (best priority, then oldest; delayed ones by their not-before time), so that claiming
 * needs no view read and the server no index update per claim. Bounded: past its capacity it keeps the best tokens and
 * says it is incomplete, so that the claimer reads the view again once it runs dry. Entries may be stale; the claim's
 * MVCC write is what decides.
 */
public final class ClaimableTokens {

    /** Order of ready tokens: the queue view's key [-priority, created], then id. */
    private record ReadyKey(long priority, long created, String id) implements Comparable<ReadyKey> {
        private static final Comparator<ReadyKey> ORDER = Comparator.comparingLong((ReadyKey k) -> -k.priority)
                .thenComparingLong(k -> k.created).thenComparing(k -> k.id);

        @Override
        public int compareTo(ReadyKey other) {
            return ORDER.compare(this, other);
        }
    }

    private record DelayedKey(long notBefore, String id) implements Comparable<DelayedKey> {
        private static final Comparator<DelayedKey> ORDER = Comparator.comparingLong((DelayedKey k) -> k.notBefore)
                .thenComparing(k -> k.id);

        @Override
        public int compareTo(DelayedKey other) {
            return ORDER.compare(this, other);
        }
    }

    private static final int SPREAD = 100;
    /** Most queue entries looked at for this worker's own share in one claim. */
    private static final int SCAN_LIMIT = 20_000;
    private static final int MAX_SPREAD = 6400;
    private static final int JUDGED_CLAIMS = 20;

    private final Set<String> types;
    private final int capacity;
    private final TreeMap<ReadyKey, Token> ready = new TreeMap<>();
    private final TreeMap<DelayedKey, Token> delayed = new TreeMap<>();
    private final Map<String, Object> keyById = new HashMap<>();
    private boolean complete;
    private int spread = SPREAD;
    private long judgedClaims;
    private long judgedLosses;

    public ClaimableTokens(Set<String> types, int capacity) {
        this.types = Set.copyOf(types);
        this.capacity = Math.max(1, capacity);
    }

    /**
     * Takes in a document as it is now: a todo token of our types is (re)queued, anything else leaves the queue. An
     * older revision than the one already queued is ignored (the feed and the view may deliver out of order).
     */
    public synchronized void offer(Token token) {
        Object oldKey = keyById.get(token.id());
        Token old = oldKey == null ? null : oldKey instanceof ReadyKey r ? ready.get(r) : delayed.get((DelayedKey) oldKey);
        if (old != null && generation(old.rev()) > generation(token.rev())) {
            return;
        }
        remove(token.id());
        if (token.type() == null || !types.contains(token.type()) || token.state() != TokenState.TODO) {
            return;
        }
        if (token.notBefore() > 0) {
            DelayedKey key = new DelayedKey(token.notBefore(), token.id());
            delayed.put(key, token);
            keyById.put(token.id(), key);
        } else {
            ReadyKey key = new ReadyKey(token.priority(), token.created(), token.id());
            ready.put(key, token);
            keyById.put(token.id(), key);
        }
        trim();
    }

    /** Forgets a token, e.g. a deleted document. */
    public synchronized void remove(String id) {
        Object key = keyById.remove(id);
        if (key instanceof ReadyKey r) {
            ready.remove(r);
        } else if (key instanceof DelayedKey d) {
            delayed.remove(d);
        }
    }

    /** As {@link #take(int, long, RandomGenerator, Predicate)} with no share of its own: all picks at random. */
    public synchronized List<Token> take(int max, long now, RandomGenerator random) {
        return take(max, now, random, token -> false);
    }

    /**
     * Removes and returns up to {@code max} tokens to claim, best priority first. Within one priority: this worker's own
     * share, at random among its oldest 4 × max (see {@link ClaimShares}; other workers leave it alone); only when none is left, a random
     * choice among the oldest hundred (or 4 × max, or more while claims keep losing races: see
     * {@link #contention}), so that workers with the same view of the pool spread over different tokens instead of
     * racing for the same ones (PiCaS picks at random among the first hundred too).
     */
    public synchronized List<Token> take(int max, long now, RandomGenerator random, Predicate<Token> mine) {
        return take(max, max, now, random, mine);
    }

    /**
     * As {@link #take(int, long, RandomGenerator, Predicate)}, with at most {@code maxOfOthers} of the tokens from other
     * workers' shares (for idle slots: prefetching from others' shares would only race their owners).
     */
    public synchronized List<Token> take(int max, int maxOfOthers, long now, RandomGenerator random,
            Predicate<Token> mine) {
        promoteDue(now);
        List<Token> taken = new ArrayList<>(Math.min(max, ready.size()));
        long window = Math.max(spread, 4L * max);
        boolean tookOwn = false;
        int ofOthers = 0;
        while (taken.size() < max && !ready.isEmpty()) {
            long priority = ready.firstKey().priority();
            int wanted = max - taken.size();
            List<ReadyKey> level = new ArrayList<>();
            List<ReadyKey> own = new ArrayList<>();
            int scanned = 0;
            for (Map.Entry<ReadyKey, Token> entry : ready.entrySet()) {
                ReadyKey key = entry.getKey();
                if (key.priority() != priority || scanned++ >= SCAN_LIMIT) {
                    break;
                }
                if (own.size() < 4 * wanted && mine.test(entry.getValue())) {
                    own.add(key);
                } else if (level.size() < window) {
                    level.add(key);
                }
                if (own.size() >= 4 * wanted && level.size() >= window) {
                    break;
                }
            }
            List<ReadyKey> picks = own;
            if (!own.isEmpty()) {
                // at random among the oldest of our share: a worker that joined lately is not in the others' view
                // yet, and they take what it thinks its own oldest first
                shuffle(own, random);
                picks = own.subList(0, Math.min(own.size(), wanted));
                tookOwn = true;
            } else if (tookOwn) {
                break; // the rest of this priority is others' share: they will take it
            } else {
                // nothing of our own at this priority: others' shares, at random (their owners take them oldest
                // first, so a few races here, near the end of a pool, are the price of not idling)
                int allowed = Math.min(wanted, maxOfOthers - ofOthers);
                if (allowed <= 0) {
                    break;
                }
                shuffle(level, random);
                picks = level.subList(0, Math.min(level.size(), allowed));
                ofOthers += picks.size();
            }
            for (ReadyKey key : picks) {
                taken.add(ready.remove(key));
                keyById.remove(key.id());
            }
        }
        return taken;
    }

    /**
     * How the last claims went. Judged over at least {@value #JUDGED_CLAIMS} claims (a one-slot worker claims one or two
     * at a time, and one lost race in two claims says little): when more than 3 in 100 lost their race, workers are
     * crowding the oldest tokens, so the next picks spread twice as wide; below 1 in 100, back towards the oldest first.
     */
    public synchronized void contention(int attempted, int lost) {
        judgedClaims += attempted;
        judgedLosses += lost;
        if (judgedClaims < JUDGED_CLAIMS) {
            return;
        }
        if (judgedLosses * 100 > 3L * judgedClaims) {
            spread = Math.min(MAX_SPREAD, spread * 2);
        } else if (judgedLosses * 100 < judgedClaims) {
            spread = Math.max(SPREAD, spread / 2);
        }
        judgedClaims = 0;
        judgedLosses = 0;
    }

    public synchronized int spread() {
        return spread;
    }

    /** Seconds until the earliest delayed token is due, if one is known. */
    public synchronized OptionalLong secondsUntilNextDue(long now) {
        return delayed.isEmpty() ? OptionalLong.empty() : OptionalLong.of(delayed.firstKey().notBefore() - now);
    }

    /** Whether every todo token of our types that the last view read saw is here (none was dropped for room). */
    public synchronized boolean isComplete() {
        return complete;
    }

    /** After reading the view: whether the read saw the whole queue (fewer rows than it asked for) and all fit. */
    public synchronized void markComplete(boolean sawEverything) {
        this.complete = sawEverything && keyById.size() < capacity;
    }

    public synchronized int size() {
        return keyById.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Delayed tokens whose time has come join the ready ones. */
    private void promoteDue(long now) {
        Iterator<Map.Entry<DelayedKey, Token>> due = delayed.headMap(new DelayedKey(now + 1, ""), false)
                .entrySet().iterator();
        while (due.hasNext()) {
            Token token = due.next().getValue();
            due.remove();
            ReadyKey key = new ReadyKey(token.priority(), token.created(), token.id());
            ready.put(key, token);
            keyById.put(token.id(), key);
        }
    }

    /** Over capacity: the latest delayed tokens go first, then the last of the ready ones. */
    private void trim() {
        while (keyById.size() > capacity) {
            complete = false;
            if (!delayed.isEmpty()) {
                keyById.remove(delayed.pollLastEntry().getKey().id());
            } else {
                keyById.remove(ready.pollLastEntry().getKey().id());
            }
        }
    }

    private static void shuffle(List<ReadyKey> list, RandomGenerator random) {
        for (int k = list.size() - 1; k > 0; k--) {
            Collections.swap(list, k, random.nextInt(k + 1));
        }
    }

    private static long generation(String rev) {
        if (rev == null) {
            return 0;
        }
        int dash = rev.indexOf('-');
        try {
            return dash > 0 ? Long.parseLong(rev.substring(0, dash)) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
