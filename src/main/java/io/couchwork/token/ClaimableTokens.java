package io.couchwork.token;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
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
        // spelled out rather than a Comparator chain: every change of the pool, in every worker, compares keys
        @Override
        public int compareTo(ReadyKey other) {
            int order = Long.compare(other.priority, priority);
            if (order == 0) {
                order = Long.compare(created, other.created);
            }
            return order != 0 ? order : id.compareTo(other.id);
        }
    }

    private record DelayedKey(long notBefore, String id) implements Comparable<DelayedKey> {
        @Override
        public int compareTo(DelayedKey other) {
            int order = Long.compare(notBefore, other.notBefore);
            return order != 0 ? order : id.compareTo(other.id);
        }
    }

    /** The share of a worker that has seen no other: nothing is its own, everything is picked at random. */
    public static final Predicate<Token> NO_SHARE = token -> false;

    private static final int SPREAD = 100;
    private static final int MAX_SPREAD = 6400;
    private static final int JUDGED_CLAIMS = 20;

    private final Set<String> types;
    private final int capacity;
    // ready tokens in two parts, this worker's share and the others', so that a claim looks at a few entries of each
    // rather than scanning the queue for its own; parted anew only when the share changes (a worker came or went)
    private final TreeMap<ReadyKey, Token> own = new TreeMap<>();
    private final TreeMap<ReadyKey, Token> others = new TreeMap<>();
    private final TreeMap<DelayedKey, Token> delayed = new TreeMap<>();
    private final Map<String, Object> keyById = new HashMap<>();
    // when each entry was offered, as a count of offers: a complete view read drops what it no longer shows, unless it
    // was offered after the read began (the feed may bring a new token before the view shows it)
    private final Map<String, Long> offeredAt = new HashMap<>();
    private long offers;
    private Predicate<Token> mine = NO_SHARE;
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
     * older revision than the one already queued is ignored (the feed and the view may deliver out of order). True
     * when the token is in the queue now, to be claimed.
     */
    public synchronized boolean offer(Token token) {
        Token old = queued(token.id());
        if (old != null && generation(old.rev()) > generation(token.rev())) {
            return false;
        }
        remove(token.id());
        if (token.type() == null || !types.contains(token.type()) || token.state() != TokenState.TODO) {
            return false;
        }
        offeredAt.put(token.id(), ++offers);
        if (token.notBefore() > 0) {
            DelayedKey key = new DelayedKey(token.notBefore(), token.id());
            delayed.put(key, token);
            keyById.put(token.id(), key);
        } else {
            ready(token);
        }
        trim();
        return keyById.containsKey(token.id());
    }

    /** Forgets a token, e.g. a deleted document. */
    public synchronized void remove(String id) {
        offeredAt.remove(id);
        Object key = keyById.remove(id);
        if (key instanceof ReadyKey r) {
            own.remove(r);
            others.remove(r);
        } else if (key instanceof DelayedKey d) {
            delayed.remove(d);
        }
    }

    /** As {@link #take(int, long, RandomGenerator, Predicate)} with no share of its own: all picks at random. */
    public synchronized List<Token> take(int max, long now, RandomGenerator random) {
        return take(max, now, random, NO_SHARE);
    }

    /**
     * Removes and returns up to {@code max} tokens to claim, best priority first. Within one priority: this worker's own
     * share, at random among its oldest 4 × max (see {@link ClaimShares}; other workers leave it alone); only when none
     * is left, a random choice among the newest hundred of others' shares (or 4 × max, or more while claims keep losing
     * races: see {@link #contention}), which their owners come to last. Without a share (no other worker seen), at
     * random among the oldest hundred, so that workers with the same view of the pool spread over different tokens
     * instead of racing for the same ones (PiCaS picks at random among the first hundred too).
     */
    public synchronized List<Token> take(int max, long now, RandomGenerator random, Predicate<Token> mine) {
        return take(max, max, now, random, mine);
    }

    /**
     * As {@link #take(int, long, RandomGenerator, Predicate)}, with at most {@code maxOfOthers} of the tokens from other
     * workers' shares (for idle slots: prefetching from others' shares would only race their owners). {@code mine} is
     * expected to stay the same object while the share does: a new one parts the queue anew.
     */
    public synchronized List<Token> take(int max, int maxOfOthers, long now, RandomGenerator random,
            Predicate<Token> mine) {
        share(mine);
        promoteDue(now);
        List<Token> taken = new ArrayList<>(Math.min(max, keyById.size()));
        int window = (int) Math.min(Integer.MAX_VALUE, Math.max(spread, 4L * max));
        boolean tookOwn = false;
        int ofOthers = 0;
        while (taken.size() < max && !(own.isEmpty() && others.isEmpty())) {
            long priority = own.isEmpty() ? others.firstKey().priority()
                    : others.isEmpty() ? own.firstKey().priority()
                    : Math.max(own.firstKey().priority(), others.firstKey().priority());
            int wanted = max - taken.size();
            List<ReadyKey> picks = oldest(own, priority, 4 * wanted);
            TreeMap<ReadyKey, Token> from = own;
            if (!picks.isEmpty()) {
                // at random among the oldest of our share: a worker that joined lately is not in the others' view
                // yet, and they take what it thinks its own oldest first
                shuffle(picks, random);
                picks = picks.subList(0, Math.min(picks.size(), wanted));
                tookOwn = true;
            } else if (tookOwn) {
                break; // the rest of this priority is others' share: they will take it
            } else {
                // nothing of our own at this priority: others' shares, at random among their newest (their owners
                // take them oldest first, so races come only once a share is nearly drained); with no share at all,
                // at random among the oldest
                int allowed = Math.min(wanted, maxOfOthers - ofOthers);
                if (allowed <= 0) {
                    break;
                }
                picks = mine == NO_SHARE ? oldest(others, priority, window) : newest(others, priority, window);
                shuffle(picks, random);
                picks = picks.subList(0, Math.min(picks.size(), allowed));
                ofOthers += picks.size();
                from = others;
            }
            for (ReadyKey key : picks) {
                taken.add(from.remove(key));
                keyById.remove(key.id());
                offeredAt.remove(key.id());
            }
        }
        return taken;
    }

    /**
     * Ids of up to {@code limit} entries that the next claims would pick from when their own share has none left:
     * the newest of others' shares (the oldest when this worker has no share), best priority first.
     */
    public synchronized List<String> nextPicks(int limit) {
        if (others.isEmpty()) {
            return List.of();
        }
        long priority = others.firstKey().priority();
        List<ReadyKey> keys = mine == NO_SHARE ? oldest(others, priority, limit) : newest(others, priority, limit);
        return keys.stream().map(ReadyKey::id).toList();
    }

    /** A mark to hand to {@link #retainOnly} after a view read that begins now. */
    public synchronized long mark() {
        return offers;
    }

    /**
     * After a view read that began at {@code mark} and saw every todo token of our types: drops the entries it did not
     * show (taken by others while our feed lagged behind), except those offered since the read began.
     */
    public synchronized int retainOnly(Set<String> ids, long mark) {
        List<String> gone = new ArrayList<>();
        offeredAt.forEach((id, at) -> {
            if (at <= mark && !ids.contains(id)) {
                gone.add(id);
            }
        });
        gone.forEach(this::remove);
        return gone.size();
    }

    /** Parts the ready tokens anew when the share changed. */
    private void share(Predicate<Token> next) {
        if (next == mine) {
            return;
        }
        mine = next;
        List<Token> all = new ArrayList<>(own.values());
        all.addAll(others.values());
        own.clear();
        others.clear();
        all.forEach(this::ready);
    }

    private void ready(Token token) {
        ReadyKey key = new ReadyKey(token.priority(), token.created(), token.id());
        (mine != NO_SHARE && mine.test(token) ? own : others).put(key, token);
        keyById.put(token.id(), key);
    }

    private Token queued(String id) {
        Object key = keyById.get(id);
        if (key instanceof ReadyKey r) {
            Token token = own.get(r);
            return token != null ? token : others.get(r);
        }
        return key == null ? null : delayed.get((DelayedKey) key);
    }

    /** The last {@code limit} keys of {@code part} at {@code priority}. */
    private static List<ReadyKey> newest(TreeMap<ReadyKey, Token> part, long priority, int limit) {
        List<ReadyKey> keys = new ArrayList<>(Math.min(limit, 256));
        ReadyKey first = new ReadyKey(priority, Long.MIN_VALUE, "");
        NavigableMap<ReadyKey, Token> level = priority == Long.MIN_VALUE ? part.tailMap(first, true)
                : part.subMap(first, true, new ReadyKey(priority - 1, Long.MIN_VALUE, ""), false);
        for (ReadyKey key : level.descendingKeySet()) {
            if (keys.size() >= limit) {
                break;
            }
            keys.add(key);
        }
        return keys;
    }

    /** The first {@code limit} keys of {@code part} at {@code priority}. */
    private static List<ReadyKey> oldest(TreeMap<ReadyKey, Token> part, long priority, int limit) {
        List<ReadyKey> keys = new ArrayList<>(Math.min(limit, 256));
        for (ReadyKey key : part.keySet()) {
            if (key.priority() != priority || keys.size() >= limit) {
                break;
            }
            keys.add(key);
        }
        return keys;
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
        List<Token> promoted = new ArrayList<>();
        while (due.hasNext()) {
            promoted.add(due.next().getValue());
            due.remove();
        }
        promoted.forEach(this::ready);
    }

    /** Over capacity: the latest delayed tokens go first, then the last of the ready ones. */
    private void trim() {
        while (keyById.size() > capacity) {
            complete = false;
            if (!delayed.isEmpty()) {
                remove(delayed.lastKey().id());
            } else {
                // the last of the ready ones, whichever part holds it
                TreeMap<ReadyKey, Token> part = own.isEmpty() ? others : others.isEmpty() ? own
                        : own.lastKey().compareTo(others.lastKey()) > 0 ? own : others;
                remove(part.lastKey().id());
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
