package io.couchwork.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.changes.LongpollFeed;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.ViewQuery;
import io.couchwork.token.ClaimingSwitch;
import io.couchwork.token.TokenState;
import io.couchwork.token.TokenViews;
import io.couchwork.token.WorkerPresence;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Waits for tokens to be finished by following the _changes feed, not a view: a view read while workers drain the pool
 * would cost the server an index update of its own and slow down what is being measured. The feed is read without
 * documents, for the same reason (each document sent costs the server a read): a token is taken for finished at its
 * third revision, claimed then finished, as most tokens of the bench go. Some take a start write between claim and
 * result (a worker whose feed lagged proves its claim before the job starts), so before the wait ends the tokens taken
 * for finished are read once, in bulk: one still running is waited for until its revision moves on, and read again.
 * {@link #errors} reads the states view, after the timed part.
 */
final class DoneWatch {

    private static final int READ_LIMIT = 1000;
    private static final int CHECK_BATCH = 500;

    private static final int FINISHED_GENERATION = 3;
    /** Reads, the first and the last included, that a steady-state rate must rest on. */
    private static final int STEADY_SAMPLES = 5;

    private final CouchDatabase database;
    private final LongpollFeed feed;
    private final Set<String> finished = new HashSet<>();
    private final Set<String> confirmed = new HashSet<>();
    private final java.util.Map<String, Integer> generations = new java.util.HashMap<>();
    // tokens read back unfinished, with the generation they were read at: finished once a later one shows
    private final java.util.Map<String, Integer> unfinished = new java.util.HashMap<>();
    private String since = "0";
    private final java.util.List<long[]> progress = new java.util.ArrayList<>(); // {nanoTime, tokens finished}
    private int base; // tokens finished before the timed part (a warm-up)

    DoneWatch(CouchDatabase database) {
        this.database = database;
        this.feed = new LongpollFeed(database);
    }

    /** From now on, counts and rates are of the tokens finished from here on (those before were a warm-up). */
    void startTiming() {
        base = finished.size();
        progress.clear();
    }

    /**
     * Returns once at least {@code count} tokens (since {@link #startTiming}) are done or in error; reads at most every
     * 25 ms, in big batches.
     */
    void awaitFinished(int count) {
        awaitFinished(count, () -> null);
    }

    /**
     * As {@link #awaitFinished(int)}, returning what {@code atEnd} gave at the moment the feed showed {@code count}
     * tokens finished, before they were read back: a row ends there, and the bench's own check after it (2,000 tokens
     * read back cost the bundled server a tenth of a second or more) is not the row's work. Should the check find one
     * still running, {@code atEnd} is taken again when the feed shows that one finished.
     */
    <T> T awaitFinished(int count, Supplier<T> atEnd) {
        while (true) {
            follow(count);
            T end = atEnd.get();
            List<String> running = unconfirmedStillRunning();
            if (running.isEmpty()) {
                return end;
            }
            running.forEach(id -> {
                finished.remove(id);
                unfinished.put(id, generations.get(id));
            });
        }
    }

    private void follow(int count) {
        boolean caughtUp = false;
        while (finished.size() - base < count) {
            if (caughtUp) {
                pause();
            }
            JsonNode result;
            try {
                result = feed.read(since, READ_LIMIT, false);
            } catch (RuntimeException timeout) {
                continue; // a longpoll that timed out: ask again
            }
            since = result.path("last_seq").asText(since);
            caughtUp = result.path("results").size() < READ_LIMIT; // else more changes wait: read on at once
            for (JsonNode change : result.path("results")) {
                String rev = change.path("changes").path(0).path("rev").asText("");
                int dash = rev.indexOf('-');
                String id = change.path("id").asText();
                if (dash > 0 && !id.startsWith("_design/") && !id.startsWith(WorkerPresence.ID_PREFIX)
                        && !id.equals(ClaimingSwitch.ID)) {
                    saw(id, Integer.parseInt(rev.substring(0, dash)));
                }
            }
            if (caughtUp) { // a read that lagged behind would date its tokens late
                progress.add(new long[] {System.nanoTime(), finished.size() - base});
            }
        }
    }

    private void saw(String id, int generation) {
        generations.put(id, generation);
        Integer readAt = unfinished.get(id);
        if (readAt != null ? generation > readAt : generation >= FINISHED_GENERATION) {
            unfinished.remove(id);
            finished.add(id);
        }
    }

    /** The tokens taken for finished and not read back yet that are not done or in error, read in bulk. */
    private List<String> unconfirmedStillRunning() {
        List<String> toRead = finished.stream().filter(id -> !confirmed.contains(id)).toList();
        List<String> running = new java.util.ArrayList<>();
        for (int from = 0; from < toRead.size(); from += CHECK_BATCH) {
            for (JsonNode doc : database.getAll(toRead.subList(from, Math.min(toRead.size(), from + CHECK_BATCH)))) {
                TokenState state = TokenState.of(doc);
                String id = doc.path("_id").asText();
                if (state == TokenState.TODO || state == TokenState.LOCKED) {
                    running.add(id);
                } else {
                    confirmed.add(id);
                }
            }
        }
        return running;
    }

    /**
     * Tokens per second in steady state: between the reads that first saw 10 % and 90 % of {@code count} finished, so
     * that neither the ramp-up (workers waking to a newly loaded pool, prefetch growing) nor the last tokens' tail
     * count; NaN when the reads were too few to tell.
     */
    double steadyPerSecond(int count) {
        return steadyPerSecond(progress, count);
    }

    /**
     * As {@link #steadyPerSecond(int)} over {@code {nanoTime, finished}} samples of reads that had caught up with the
     * feed. NaN unless at least {@value #STEADY_SAMPLES} such reads fall between 10 % and 90 %: on a busy server the
     * watch's reads lag behind (each brings a full batch), and two reads that happen to catch up on either side of a
     * long lag would make a rate of a moment, many times the row's.
     */
    static double steadyPerSecond(List<long[]> progress, int count) {
        long[] from = null;
        long[] to = null;
        int between = 0;
        for (long[] sample : progress) {
            if (from == null && sample[1] >= count / 10) {
                from = sample;
            }
            if (from != null && to == null) {
                between++;
            }
            if (to == null && sample[1] >= count * 9 / 10) {
                to = sample;
            }
        }
        if (from == null || to == null || to[0] <= from[0] || to[1] <= from[1] || between < STEADY_SAMPLES) {
            return Double.NaN;
        }
        return (to[1] - from[1]) / ((to[0] - from[0]) / 1e9);
    }

    /** Tokens in the error state now, from the states view (read once, after the timed part). */
    int errors() {
        int errors = 0;
        for (JsonNode row : database.view(TokenViews.COUCHWORK_DESIGN, TokenViews.STATES, ViewQuery.grouped(2))) {
            if ("error".equals(row.path("key").path(1).asText())) {
                errors += row.path("value").asInt();
            }
        }
        return errors;
    }

    private static void pause() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
