package io.couchwork.pilot;

import io.couchwork.token.PilotEnd;
import io.couchwork.token.PilotLimits;
import io.couchwork.token.Pilot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.metrics.PoolMetrics;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.HandDrivenTasks;
import io.couchwork.testing.MutableClock;
import io.couchwork.testing.TestCouch;
import io.couchwork.token.DesignDocuments;
import io.couchwork.token.Job;
import io.couchwork.token.NewTokens;
import io.couchwork.token.Outcome;
import io.couchwork.token.RetryPolicy;
import io.couchwork.token.Token;
import io.couchwork.token.TokenState;
import io.couchwork.token.TokenWorker;
import io.couchwork.token.WorkerIdentity;
import io.couchwork.token.WorkerSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A token worker in pilot mode against the real server, time on a mutable clock: it ends once the pool is drained
 * (waiting for delayed tokens due in time, not for those due too late), after its maximum of tokens, after its idle
 * timeout, and at its time limit, releasing running and prefetched tokens without counting an attempt.
 */
@ExtendWith(CouchDbServerExtension.class)
class PilotWorkerIT {

    private static final Duration MARGIN = Duration.ofMinutes(2);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final HandDrivenTasks tasks = new HandDrivenTasks(clock);
    private final List<PilotEnd> ends = new CopyOnWriteArrayList<>();
    private final CountDownLatch jobsMayEnd = new CountDownLatch(1);
    private final List<TokenWorker> workers = new ArrayList<>();
    private final Job quickJob = token -> new Outcome.Finished(0, TextNode.valueOf("ok"), List.of(), null);
    private final Job blockingJob = token -> {
        jobsMayEnd.await();
        return new Outcome.Finished(0, TextNode.valueOf("ok"), List.of(), null);
    };

    @AfterEach
    void stopWorkers() throws InterruptedException {
        jobsMayEnd.countDown();
        for (TokenWorker worker : workers) {
            worker.stop();
        }
    }

    private CouchDatabase pool(TestCouch couch, ObjectNode... tokens) {
        CouchDatabase db = CouchDatabase.connect(couch.settings(couch.createDatabase()));
        new DesignDocuments(db).installFor(List.of("token"));
        if (tokens.length > 0) {
            db.bulkWrite(List.of(tokens));
        }
        return db;
    }

    private ObjectNode token(String id) {
        ObjectNode doc = new NewTokens("token", clock).token(TextNode.valueOf(id), 0);
        doc.put("_id", id);
        return doc;
    }

    /** {@code maxTime} null: no time limit. Polls the view every 100 ms (no changes feed), so the clock is read often. */
    private Pilot pilot(boolean untilEmpty, int maxTokens, Duration idle, Duration maxTime) {
        return new Pilot(new PilotLimits(untilEmpty, maxTokens, idle,
                maxTime == null ? null : clock.instant().plus(maxTime), MARGIN, 0), clock, ends::add);
    }

    private TokenWorker start(CouchDatabase db, Pilot pilot, Job job, int concurrency, int prefetch) {
        WorkerSettings settings = new WorkerSettings("pilot", List.of("token"), concurrency, Duration.ofMinutes(30),
                Duration.ofMillis(100), Duration.ofHours(1), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(25), 5,
                RetryPolicy.of(3, Duration.ofSeconds(10), Duration.ofHours(1), Set.of()), prefetch, 10, false);
        TokenWorker worker = new TokenWorker(db, new WorkerIdentity("host", "pilot-" + workers.size(), Map.of()),
                clock, settings, job, Executors.newFixedThreadPool(concurrency), tasks,
                new PoolMetrics(new SimpleMeterRegistry()));
        worker.obey(pilot);
        worker.start();
        workers.add(worker);
        return worker;
    }

    private static Token read(CouchDatabase db, String id) {
        return new Token(db.get(id).orElseThrow());
    }

    @Test
    void until_empty_it_drains_the_pool_and_ends_with_exit_code_0(TestCouch couch) {
        CouchDatabase db = pool(couch, token("a"), token("b"), token("c"));

        start(db, pilot(true, 0, Duration.ZERO, null), quickJob, 2, 0);

        await().atMost(Duration.ofSeconds(30)).until(() -> !ends.isEmpty());
        assertThat(ends).containsExactly(PilotEnd.DRAINED);
        assertThat(PilotEnd.DRAINED.exitCode().code()).isZero();
        for (String id : List.of("a", "b", "c")) {
            assertThat(read(db, id).state()).isEqualTo(TokenState.DONE);
        }
    }

    @Test
    void until_empty_it_waits_for_a_delayed_token_due_in_time_but_not_for_one_due_too_late_nor_for_others_locks(
            TestCouch couch) {
        ObjectNode dueSoon = token("due-soon").put("not_before", clock.instant().plusSeconds(60).getEpochSecond());
        ObjectNode dueLate = token("due-late").put("not_before", clock.instant().plusSeconds(3600).getEpochSecond());
        ObjectNode lockedByOther = token("locked").put("lock", clock.instant().getEpochSecond())
                .put("lease_until", clock.instant().plusSeconds(600).getEpochSecond()).put("worker_id", "other");
        CouchDatabase db = pool(couch, dueSoon, dueLate, lockedByOther);
        start(db, pilot(true, 0, Duration.ZERO, Duration.ofMinutes(30)), quickJob, 1, 0);

        await().atMost(Duration.ofSeconds(30)).until(() -> read(db, "due-late").state() == TokenState.TODO
                && !workers.get(0).claimer().secondsUntilNextDue().isEmpty());
        assertThat(ends).isEmpty(); // the token due in a minute keeps it alive
        clock.advance(Duration.ofSeconds(61));

        await().atMost(Duration.ofSeconds(30)).until(() -> !ends.isEmpty());
        assertThat(read(db, "due-soon").state()).isEqualTo(TokenState.DONE);
        assertThat(read(db, "due-late").state()).isEqualTo(TokenState.TODO);
        assertThat(read(db, "locked").state()).isEqualTo(TokenState.LOCKED);
        assertThat(ends).containsExactly(PilotEnd.TIME_LIMIT); // the late one is work left for another pilot
    }

    @Test
    void a_token_whose_timeout_does_not_fit_the_time_left_is_not_claimed(TestCouch couch) {
        CouchDatabase db = pool(couch, token("short").put("timeout", 600), token("long").put("timeout", 3600));

        start(db, pilot(true, 0, Duration.ZERO, Duration.ofMinutes(30)), quickJob, 1, 0);

        await().atMost(Duration.ofSeconds(30)).until(() -> !ends.isEmpty());
        assertThat(ends).containsExactly(PilotEnd.TIME_LIMIT);
        assertThat(PilotEnd.TIME_LIMIT.exitCode().code()).isEqualTo(75);
        assertThat(read(db, "short").state()).isEqualTo(TokenState.DONE);
        Token untouched = read(db, "long");
        assertThat(untouched.state()).isEqualTo(TokenState.TODO);
        assertThat(untouched.document().has("runs")).isFalse();
    }

    @Test
    void with_max_tokens_it_claims_that_many_and_ends_once_they_are_done(TestCouch couch) {
        CouchDatabase db = pool(couch, token("a"), token("b"), token("c"), token("d"), token("e"));

        start(db, pilot(false, 2, Duration.ZERO, null), quickJob, 1, 0);

        await().atMost(Duration.ofSeconds(30)).until(() -> !ends.isEmpty());
        assertThat(ends).containsExactly(PilotEnd.MAX_TOKENS);
        long done = List.of("a", "b", "c", "d", "e").stream().filter(id -> read(db, id).state() == TokenState.DONE)
                .count();
        long todo = List.of("a", "b", "c", "d", "e").stream().filter(id -> read(db, id).state() == TokenState.TODO)
                .count();
        assertThat(done).isEqualTo(2);
        assertThat(todo).isEqualTo(3);
    }

    @Test
    void with_an_idle_timeout_it_ends_after_that_long_with_nothing_to_run(TestCouch couch) {
        CouchDatabase db = pool(couch);
        start(db, pilot(false, 0, Duration.ofMinutes(5), null), quickJob, 1, 0);

        tasks.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(ends).isEmpty();
        tasks.advance(Duration.ofSeconds(1));

        assertThat(ends).containsExactly(PilotEnd.IDLE_TIMEOUT);
        assertThat(PilotEnd.IDLE_TIMEOUT.exitCode().code()).isEqualTo(3);
    }

    @Test
    void at_the_time_limit_less_the_margin_running_and_prefetched_tokens_are_released_without_an_attempt(
            TestCouch couch) throws Exception {
        CouchDatabase db = pool(couch, token("a"), token("b"));
        TokenWorker worker = start(db, pilot(false, 0, Duration.ZERO, Duration.ofMinutes(10)), blockingJob, 1, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> read(db, "a").state() == TokenState.LOCKED
                && read(db, "b").state() == TokenState.LOCKED); // one running, one prefetched

        tasks.advance(Duration.ofMinutes(8).minusSeconds(1));
        assertThat(ends).isEmpty();
        tasks.advance(Duration.ofSeconds(1));
        assertThat(ends).containsExactly(PilotEnd.TIME_LIMIT);

        worker.stop(); // what the app does when the pilot ends: no grace is left, the job is stopped at once
        for (String id : List.of("a", "b")) {
            Token released = read(db, id);
            assertThat(released.state()).isEqualTo(TokenState.TODO);
            assertThat(released.attempts()).isZero();
            assertThat(released.leaseUntil()).isZero();
        }
    }
}
