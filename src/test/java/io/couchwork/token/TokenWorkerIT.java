package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.metrics.PoolMetrics;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.HandDrivenTasks;
import io.couchwork.testing.MutableClock;
import io.couchwork.testing.TestCouch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The worker without Camel, against the real server, its periodic tasks driven by hand with a mutable clock: leases
 * renewed while a job runs, reaped by another worker when they run out, released on a shutdown past the grace period.
 */
@ExtendWith(CouchDbServerExtension.class)
class TokenWorkerIT {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String TOKEN = "t1";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final CountDownLatch jobStarted = new CountDownLatch(1);
    private final CountDownLatch jobMayEnd = new CountDownLatch(1);
    /** Runs until the test lets it end. */
    private final Job blockingJob = token -> {
        jobStarted.countDown();
        jobMayEnd.await();
        return new Outcome.Finished(0, TextNode.valueOf("ok"), List.of(), null);
    };

    @AfterEach
    void letJobsEnd() {
        jobMayEnd.countDown();
    }

    private CouchDatabase poolWithOneToken(TestCouch couch) {
        CouchDatabase db = CouchDatabase.connect(couch.settings(couch.createDatabase()));
        new DesignDocuments(db).installFor(List.of("token"));
        var doc = new NewTokens("token", clock).token(TextNode.valueOf("input"), 0);
        doc.put("_id", TOKEN);
        db.bulkWrite(List.of(doc));
        return db;
    }

    /** One slot, no prefetch, no changes feed and an hour's poll: the worker claims once at start, then only waits. */
    private TokenWorker worker(CouchDatabase db, String id, HandDrivenTasks tasks, Duration grace) {
        WorkerSettings settings = new WorkerSettings("test", List.of("token"), 1, LEASE, Duration.ofHours(1),
                Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, grace, 5,
                RetryPolicy.of(3, Duration.ofSeconds(10), Duration.ofHours(1), Set.of()), 0, 10, false);
        return new TokenWorker(db, new WorkerIdentity("host", id, Map.of()), clock, settings, blockingJob,
                Executors.newFixedThreadPool(1), tasks, new PoolMetrics(new SimpleMeterRegistry()));
    }

    @Test
    void each_finished_token_gets_one_line_and_a_failure_says_whether_it_will_be_retried(TestCouch couch)
            throws Exception {
        CouchDatabase db = poolWithOneToken(couch);
        var second = new NewTokens("token", clock).token(TextNode.valueOf("input"), 0).put("_id", "t2");
        db.bulkWrite(List.of(second));
        Job exitsByToken = token -> new Outcome.Finished(token.id().equals(TOKEN) ? 0 : 3, TextNode.valueOf(""),
                List.of(), null);
        WorkerSettings settings = new WorkerSettings("test", List.of("token"), 1, LEASE, Duration.ofHours(1),
                Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(5), 5,
                RetryPolicy.of(3, Duration.ofSeconds(10), Duration.ofHours(1), Set.of(3)), 0, 10, false);
        try (io.couchwork.testing.CapturedLog log = io.couchwork.testing.CapturedLog.named("io.couchwork.tokens")) {
            TokenWorker worker = new TokenWorker(db, new WorkerIdentity("host", "host-1-logging", Map.of()), clock,
                    settings, exitsByToken, Executors.newFixedThreadPool(1), new HandDrivenTasks(clock),
                    new PoolMetrics(new SimpleMeterRegistry()));
            worker.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> log.lines().size() == 2);
            worker.stop();
            assertThat(log.linesWith("INFO Token t1 done in ")).hasSize(1);
            assertThat(log.linesWith("WARN Token t2 failed after ", "(attempt 1 of 3): exit code 3;",
                    "not retried: exit code 3 is non-retryable")).hasSize(1);
        }
        assertThat(new Token(db.get("t2").orElseThrow()).state()).isEqualTo(TokenState.ERROR);
    }

    private static Token token(CouchDatabase db) {
        return new Token(db.get(TOKEN).orElseThrow());
    }

    private void awaitJobStarted() throws InterruptedException {
        assertThat(jobStarted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void a_job_that_outlives_its_lease_without_renewal_has_its_token_reaped_by_another_worker(TestCouch couch)
            throws Exception {
        CouchDatabase db = poolWithOneToken(couch);
        TokenWorker hung = worker(db, "host-1-hung", new HandDrivenTasks(clock), Duration.ofSeconds(5));
        hung.start(); // its tasks never run: no renewal, as for a worker that hangs or lost the server
        awaitJobStarted();
        long leaseUntil = token(db).leaseUntil();
        HandDrivenTasks reaperTasks = new HandDrivenTasks(clock);
        TokenWorker reaper = worker(db, "host-2-reaper", reaperTasks, Duration.ofSeconds(5));
        reaper.start();

        reaperTasks.advance(LEASE.minusSeconds(1));
        assertThat(token(db).state()).isEqualTo(TokenState.LOCKED);

        reaperTasks.advance(Duration.ofSeconds(2)); // past the lease's end, at the next reap

        Token reaped = token(db);
        assertThat(clock.instant().getEpochSecond()).isGreaterThan(leaseUntil);
        assertThat(reaped.state()).isEqualTo(TokenState.TODO);
        assertThat(reaped.leaseExpiries()).isEqualTo(1);
        assertThat(reaped.attempts()).isZero();
        jobMayEnd.countDown();
        reaper.stop();
        hung.stop();
    }

    @Test
    void a_third_of_the_lease_into_a_running_job_its_lease_is_renewed(TestCouch couch) throws Exception {
        CouchDatabase db = poolWithOneToken(couch);
        HandDrivenTasks tasks = new HandDrivenTasks(clock);
        TokenWorker worker = worker(db, "host-1-renewing", tasks, Duration.ofSeconds(5));
        worker.start();
        awaitJobStarted();
        long claimedUntil = token(db).leaseUntil();
        assertThat(claimedUntil).isEqualTo(clock.instant().getEpochSecond() + LEASE.toSeconds());

        tasks.advance(LEASE.dividedBy(3));

        long renewedUntil = clock.instant().getEpochSecond() + LEASE.toSeconds();
        await().atMost(Duration.ofSeconds(10)).until(() -> token(db).leaseUntil() == renewedUntil);
        assertThat(renewedUntil).isGreaterThan(claimedUntil);
        assertThat(token(db).state()).isEqualTo(TokenState.LOCKED);
        jobMayEnd.countDown();
        worker.stop();
        assertThat(token(db).state()).isEqualTo(TokenState.DONE);
    }

    @Test
    void a_job_still_running_after_the_shutdown_grace_is_stopped_and_its_token_released_without_an_attempt(
            TestCouch couch) throws Exception {
        CouchDatabase db = poolWithOneToken(couch);
        TokenWorker worker = worker(db, "host-1-stopping", new HandDrivenTasks(clock), Duration.ofMillis(100));
        worker.start();
        awaitJobStarted();
        assertThat(token(db).state()).isEqualTo(TokenState.LOCKED);

        worker.stop(); // the job waits on a latch nobody counts down: only the interrupt past the grace ends it

        Token released = token(db);
        assertThat(released.state()).isEqualTo(TokenState.TODO);
        assertThat(released.attempts()).isZero();
        assertThat(released.leaseExpiries()).isZero();
        assertThat(released.leaseUntil()).isZero();
    }

    @Test
    void a_job_whose_token_picas_reset_is_stopped_and_its_result_recorded_as_superseded(TestCouch couch)
            throws Exception {
        CouchDatabase db = poolWithOneToken(couch);
        HandDrivenTasks tasks = new HandDrivenTasks(clock);
        TokenWorker worker = worker(db, "host-1-reset", tasks, Duration.ofSeconds(5));
        worker.start();
        awaitJobStarted();
        Token running = token(db);
        assertThat(running.startedAt()).isPositive();
        var reset = running.document().deepCopy();
        reset.put("lock", 0).put("done", 0).put("scrub_count", reset.path("scrub_count").asLong() + 1);
        db.bulkWrite(List.of(reset)); // PiCaS's resetTokens

        tasks.advance(LEASE.dividedBy(3)); // the renewal meets the reset: the job is stopped

        await().atMost(Duration.ofSeconds(10)).until(() -> token(db).document().path("runs").size() == 1);
        Token after = token(db); // back in todo, or already claimed anew: the reset asked for a new run
        assertThat(after.document().path("runs").get(0).path("outcome").asText()).isEqualTo("superseded");
        assertThat(after.document().path("runs").get(0).path("claim_id").asText()).isEqualTo(running.claimId());
        assertThat(after.document().path("scrub_count").asInt()).isEqualTo(1);
        assertThat(after.attempts()).isZero();
        jobMayEnd.countDown();
        worker.stop();
    }

    @Test
    void a_paused_worker_renews_and_finishes_what_it_holds_claims_nothing_new_and_resumes(TestCouch couch)
            throws Exception {
        CouchDatabase db = poolWithOneToken(couch);
        HandDrivenTasks tasks = new HandDrivenTasks(clock);
        // no changes feed: the worker reads the control document every poll interval (a third of the lease here)
        WorkerSettings settings = new WorkerSettings("test", List.of("token"), 1, LEASE, LEASE.dividedBy(3),
                Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(5), 5,
                RetryPolicy.of(3, Duration.ofSeconds(10), Duration.ofHours(1), Set.of()), 0, 10, false);
        TokenWorker worker = new TokenWorker(db, new WorkerIdentity("host", "host-1-paused", Map.of()), clock, settings,
                blockingJob, Executors.newFixedThreadPool(1), tasks, new PoolMetrics(new SimpleMeterRegistry()));
        worker.start();
        awaitJobStarted();
        assertThat(ClaimingSwitch.set(db, true, "test", clock)).isTrue();
        var next = new NewTokens("token", clock).token(TextNode.valueOf("next"), 0);
        next.put("_id", "t2");
        db.bulkWrite(List.of(next));

        tasks.advance(LEASE.dividedBy(3)); // reads the switch, and renews the lease of the token it holds

        assertThat(db.get(WorkerPresence.ID_PREFIX + "host-1-paused").orElseThrow().path(ClaimingSwitch.PAUSED)
                .asBoolean()).isTrue();
        assertThat(token(db).leaseUntil()).isEqualTo(clock.instant().getEpochSecond() + LEASE.toSeconds());
        jobMayEnd.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> token(db).state() == TokenState.DONE);
        // the slot is free and t2 is claimable: only the pause keeps it in todo
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> new Token(db.get("t2").orElseThrow()).state() == TokenState.TODO);

        assertThat(ClaimingSwitch.set(db, false, "test", clock)).isTrue();
        tasks.advance(LEASE.dividedBy(3));

        await().atMost(Duration.ofSeconds(10)).until(() -> new Token(db.get("t2").orElseThrow()).state()
                == TokenState.DONE);
        worker.stop();
    }
}
