package io.couchwork.token;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Which worker each todo token falls to: rendezvous hashing over the workers present: those announced by their presence
 * documents ({@link WorkerPresence}, written at start, so that workers agree before any claim) and those seen writing
 * tokens of its type lately (claims, renewals and results in the _changes feed carry their worker_id: PiCaS pilots and
 * workers whose presence was missed). Each worker claims its own share first,
 * oldest first, and others' only when its own runs out, so that workers sharing a pool, which never talk to each other,
 * seldom race for one token even when they claim many at a time. Workers that see the same set agree on every token's
 * share without a word; a worker that stops writing drops out of the set after {@code livenessMillis}, and its share
 * falls to the others. A worker that has seen no other has no share: it may be one of many just starting, and picks at
 * random, as PiCaS does.
 */
public final class ClaimShares {

    private final String self;
    private final long livenessMillis;
    private final Map<String, Map<String, Long>> lastSeenByType = new ConcurrentHashMap<>();
    private final Map<String, WorkerPresence.Announced> announced = new ConcurrentHashMap<>();

    public ClaimShares(String self, long livenessMillis) {
        this.self = self;
        this.livenessMillis = livenessMillis;
    }

    /** A document from the feed: a token written by a worker (claimed, renewed or finished) shows that worker alive. */
    public void saw(Token token, long nowMillis) {
        String worker = token.workerId();
        WorkerPresence.Announced presence = worker == null ? null : announced.get(worker);
        if (worker != null && !worker.isEmpty() && token.type() != null && token.state() != TokenState.TODO
                && (presence == null || !presence.withdrawn())) {
            lastSeenByType.computeIfAbsent(token.type(), t -> new ConcurrentHashMap<>()).put(worker, nowMillis);
        }
    }

    /**
     * A presence document (or its deletion) as read or delivered by the feed. A withdrawn worker stops counting at
     * once, even where it was seen writing, for a liveness window (its last writes may still be on their way).
     */
    public void announced(WorkerPresence.Announced worker, long nowMillis) {
        if (worker.workerId().equals(self)) {
            return;
        }
        if (worker.withdrawn()) {
            announced.put(worker.workerId(), new WorkerPresence.Announced(worker.workerId(), List.of(),
                    nowMillis + livenessMillis, true));
            lastSeenByType.values().forEach(seen -> seen.remove(worker.workerId()));
        } else {
            announced.merge(worker.workerId(), worker, (old, next) -> old.withdrawn() ? old : next);
        }
    }

    /** For one claim: whether a token is this worker's own share, given the workers alive now. */
    public Predicate<Token> mine(long nowMillis) {
        Map<String, long[]> workersByType = new ConcurrentHashMap<>();
        return token -> {
            long[] seeds = workersByType.computeIfAbsent(String.valueOf(token.type()), t -> seeds(t, nowMillis));
            if (seeds.length == 1) {
                return false; // no other worker seen yet (all may be starting at once): no share, random picks
            }
            long id = hash(token.id());
            long best = Long.MIN_VALUE;
            int winner = -1;
            for (int w = 0; w < seeds.length; w++) {
                long score = mix(seeds[w] ^ id);
                if (winner < 0 || score > best) {
                    best = score;
                    winner = w;
                }
            }
            return winner == 0; // seeds[0] is this worker
        };
    }

    /**
     * Workers present for this type: announced and not expired, or seen writing tokens of it within the liveness
     * window; this worker first.
     */
    public List<String> alive(String type, long nowMillis) {
        announced.values().removeIf(a -> a.aliveUntilMillis() <= nowMillis);
        Set<String> others = new TreeSet<>();
        Map<String, Long> seen = lastSeenByType.getOrDefault(type, Map.of());
        seen.entrySet().removeIf(e -> nowMillis - e.getValue() > livenessMillis);
        others.addAll(seen.keySet());
        announced.values().stream()
                .filter(a -> !a.withdrawn() && a.aliveUntilMillis() > nowMillis && a.types().contains(type))
                .forEach(a -> others.add(a.workerId()));
        others.remove(self);
        List<String> workers = new ArrayList<>();
        workers.add(self);
        workers.addAll(others);
        return workers;
    }

    /**
     * Whether a pool-wide chore that every worker schedules each {@code periodMillis} (reaping expired leases) is this
     * worker's to do now: the workers present for {@code type} take turns by the period's number, in the order of
     * their ids, so that the pool is served once per period however many workers it has. Workers that see different
     * sets may both take a turn, or neither: harmless for a chore that is checked again next period.
     */
    public boolean isTurn(String type, long nowMillis, long periodMillis) {
        List<String> workers = new ArrayList<>(alive(type, nowMillis));
        workers.sort(null);
        long period = Math.floorDiv(nowMillis, Math.max(1, periodMillis));
        return Math.floorMod(period, workers.size()) == workers.indexOf(self);
    }

    private long[] seeds(String type, long nowMillis) {
        return alive(type, nowMillis).stream().mapToLong(ClaimShares::hash).toArray();
    }

    /** 64-bit FNV-1a, then mixed: the same on every worker (String.hashCode is too weak to rank by). */
    static long hash(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
