package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbClients;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.MutableClock;
import io.couchwork.testing.TestCouch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The writer of held tokens, against the real server: outcomes that come within a write interval share a request. */
@ExtendWith(CouchDbServerExtension.class)
class HeldTokensIT {

    private static final WorkerIdentity WORKER = new WorkerIdentity("host", "host-1-held", Map.of());

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));

    /** The real database, counting its _bulk_docs requests and the start writes in them. */
    private static final class CountingDatabase extends CouchDatabase {
        final AtomicInteger bulkWrites = new AtomicInteger();
        final List<String> startsWritten = java.util.Collections.synchronizedList(new ArrayList<>());

        CountingDatabase(CouchDbSettings settings) {
            super(CouchDbClients.create(settings), settings);
        }

        @Override
        public List<WriteResult> bulkWrite(List<ObjectNode> docs) {
            bulkWrites.incrementAndGet();
            docs.stream().filter(d -> d.has("started_at") && d.path("done").asLong() == 0)
                    .forEach(d -> startsWritten.add(d.path("_id").asText()));
            return super.bulkWrite(docs);
        }
    }

    private List<Token> claimed(CouchDatabase db, int count) {
        new DesignDocuments(db).installFor(List.of("token"));
        NewTokens factory = new NewTokens("token", clock);
        List<ObjectNode> docs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            docs.add(factory.token(TextNode.valueOf("t" + i), 0));
        }
        db.bulkWrite(docs);
        return new TokenClaimer(db, List.of("token"), WORKER, clock, new Random(1), 300).claim(count);
    }

    private HeldTokens held(CouchDatabase db, Duration writeInterval) {
        OutcomeApplier applier = new OutcomeApplier(RetryPolicy.of(3, Duration.ofSeconds(10), Duration.ofHours(1),
                Set.of()), 5, new Random(1));
        return new HeldTokens(db, applier, WORKER, clock, 300, writeInterval, "test");
    }

    private static Outcome success() {
        return new Outcome.Finished(0, TextNode.valueOf("ok"), List.of(), null);
    }

    @Test
    void results_that_come_within_the_write_interval_share_one_request(TestCouch couch) throws Exception {
        CountingDatabase db = new CountingDatabase(couch.settings(couch.createDatabase()));
        List<Token> tokens = claimed(db, 5);
        try (HeldTokens held = held(db, Duration.ofSeconds(2))) {
            tokens.forEach(held::hold);
            int before = db.bulkWrites.get();
            long started = clock.instant().getEpochSecond();

            // the first result goes out at once; four more, finishing 20 ms apart, wait for the interval to end
            assertThat(held.finish(tokens.get(0).id(), success(), started).get(10, TimeUnit.SECONDS))
                    .isEqualTo(HeldTokens.Saved.WRITTEN);
            List<CompletableFuture<HeldTokens.Saved>> rest = new ArrayList<>();
            for (Token token : tokens.subList(1, 5)) {
                rest.add(held.finish(token.id(), success(), started));
                Thread.sleep(20); // jobs that end apart, not an await: the spacing is the input
            }
            for (CompletableFuture<HeldTokens.Saved> saved : rest) {
                assertThat(saved.get(10, TimeUnit.SECONDS)).isEqualTo(HeldTokens.Saved.WRITTEN);
            }

            assertThat(db.bulkWrites.get() - before).isEqualTo(2);
        }
        for (Token token : tokens) {
            assertThat(new Token(db.get(token.id()).orElseThrow()).state()).isEqualTo(TokenState.DONE);
        }
    }

    @Test
    void without_a_write_interval_each_result_goes_out_when_it_comes(TestCouch couch) throws Exception {
        CountingDatabase db = new CountingDatabase(couch.settings(couch.createDatabase()));
        List<Token> tokens = claimed(db, 3);
        try (HeldTokens held = held(db, Duration.ZERO)) {
            tokens.forEach(held::hold);
            int before = db.bulkWrites.get();
            for (Token token : tokens) {
                assertThat(held.finish(token.id(), success(), 0).get(10, TimeUnit.SECONDS))
                        .isEqualTo(HeldTokens.Saved.WRITTEN);
            }
            assertThat(db.bulkWrites.get() - before).isEqualTo(3);
        }
    }

    @Test
    void claims_ride_along_with_results_in_one_request_and_conflicts_come_back_as_answers(TestCouch couch)
            throws Exception {
        CountingDatabase db = new CountingDatabase(couch.settings(couch.createDatabase()));
        List<Token> tokens = claimed(db, 2);
        NewTokens factory = new NewTokens("token", clock);
        List<ObjectNode> fresh = List.of(factory.token(TextNode.valueOf("n1"), 0), factory.token(TextNode.valueOf("n2"),
                0));
        db.bulkWrite(fresh);
        List<ObjectNode> claims = db.getAll(fresh.stream().map(doc -> doc.path("_id").asText()).toList()).stream()
                .map(doc -> new Token(doc).claimed(WORKER, "claim-" + doc.path("_id").asText(), 1, 301).document())
                .toList();
        try (HeldTokens held = held(db, Duration.ofSeconds(1))) {
            tokens.forEach(held::hold);
            // a first result goes out at once and starts the write interval
            assertThat(held.finish(tokens.get(0).id(), success(), 0).get(10, TimeUnit.SECONDS))
                    .isEqualTo(HeldTokens.Saved.WRITTEN);
            int before = db.bulkWrites.get();
            CompletableFuture<HeldTokens.Saved> saved = held.finish(tokens.get(1).id(), success(), 0);

            List<WriteResult> claimed = held.writeClaims(claims); // goes out with that result, at the interval's end

            assertThat(claimed).hasSize(2).allMatch(WriteResult::ok);
            assertThat(saved.get(10, TimeUnit.SECONDS)).isEqualTo(HeldTokens.Saved.WRITTEN);
            assertThat(db.bulkWrites.get() - before).isEqualTo(1);

            // the same claims again: their revisions are gone, so each is a conflict, answered, not retried
            List<WriteResult> again = held.writeClaims(claims);
            assertThat(again).hasSize(2).allMatch(WriteResult::conflict);
            assertThat(db.bulkWrites.get() - before).isEqualTo(2);
        }
        for (ObjectNode claim : claims) {
            assertThat(new Token(db.get(claim.path("_id").asText()).orElseThrow()).claimId())
                    .isEqualTo("claim-" + claim.path("_id").asText());
        }
    }

    /** What a PiCaS pilot writes over a token: lock = now and its host name (claim_id and lease left in place). */
    private static void picasRelock(CouchDatabase db, String id, long lock) {
        ObjectNode doc = db.get(id).orElseThrow();
        doc.put("lock", lock).put("hostname", "picas-node");
        assertThat(db.bulkWrite(List.of(doc)).get(0).ok()).isTrue();
    }

    /** PiCaS's resetTokens: lock 0, done 0, scrub_count + 1, nothing else touched. */
    private static void picasReset(CouchDatabase db, String id) {
        ObjectNode doc = db.get(id).orElseThrow();
        doc.put("lock", 0).put("done", 0).put("scrub_count", doc.path("scrub_count").asLong() + 1);
        assertThat(db.bulkWrite(List.of(doc)).get(0).ok()).isTrue();
    }

    @Test
    void a_start_write_proves_the_claim_and_records_when_the_job_started(TestCouch couch) {
        CouchDatabase db = couch.database(couch.createDatabase());
        Token token = claimed(db, 1).get(0);
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            held.hold(token);
            clock.advance(Duration.ofSeconds(5));
            assertThat(held.start(token)).isTrue();
        }
        Token started = new Token(db.get(token.id()).orElseThrow());
        assertThat(started.state()).isEqualTo(TokenState.LOCKED);
        assertThat(started.startedAt()).isEqualTo(clock.instant().getEpochSecond());
        assertThat(started.leaseUntil()).isEqualTo(clock.instant().getEpochSecond() + 300);
        assertThat(started.claimId()).isEqualTo(token.claimId());
    }

    /** The real database, losing the answer of its first _bulk_docs after applying it; time passes before the retry. */
    private final class AnswerLosingDatabase extends CouchDatabase {
        private final AtomicInteger bulkWrites = new AtomicInteger();

        AnswerLosingDatabase(CouchDbSettings settings) {
            super(CouchDbClients.create(settings), settings);
        }

        @Override
        public List<WriteResult> bulkWrite(List<ObjectNode> docs) {
            List<WriteResult> results = super.bulkWrite(docs);
            if (bulkWrites.incrementAndGet() == 1) {
                clock.advance(Duration.ofSeconds(3));
                throw new IllegalStateException("connection reset (the answer was lost)");
            }
            return results;
        }
    }

    @Test
    void a_start_write_applied_though_its_answer_was_lost_is_recognised_when_its_retry_conflicts(TestCouch couch) {
        CouchDatabase setup = couch.database(couch.createDatabase());
        Token token = claimed(setup, 1).get(0); // claimed in the same second as the start: lease_until alone tells nothing
        AnswerLosingDatabase db = new AnswerLosingDatabase(couch.settings(setup.name()));
        long startedAt = clock.instant().getEpochSecond();
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            held.hold(token);
            assertThat(held.start(token)).isTrue();
            assertThat(held.holds(token.id())).isTrue();
            assertThat(held.tokensLetGo()).isZero();
        }
        assertThat(db.bulkWrites.get()).isGreaterThanOrEqualTo(2);
        Token started = new Token(setup.get(token.id()).orElseThrow());
        assertThat(started.claimId()).isEqualTo(token.claimId());
        assertThat(started.startedAt()).isEqualTo(startedAt);
    }

    @Test
    void a_prefetched_token_a_picas_pilot_relocked_in_the_same_second_is_let_go_and_not_touched(TestCouch couch) {
        CouchDatabase db = couch.database(couch.createDatabase());
        Token token = claimed(db, 1).get(0);
        picasRelock(db, token.id(), token.lock()); // the same second: no field tells it from our claim, the revision does
        ObjectNode relocked = db.get(token.id()).orElseThrow();
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            held.hold(token);
            assertThat(held.start(token)).isFalse();
            assertThat(held.holds(token.id())).isFalse();
            assertThat(held.tokensLetGo()).isEqualTo(1);
        }
        assertThat(db.get(token.id()).orElseThrow()).isEqualTo(relocked);
    }

    @Test
    void a_prefetched_token_a_picas_pilot_finished_is_let_go(TestCouch couch) {
        CouchDatabase db = couch.database(couch.createDatabase());
        Token token = claimed(db, 1).get(0);
        ObjectNode doc = db.get(token.id()).orElseThrow();
        doc.put("lock", token.lock() + 1).put("done", token.lock() + 2).put("exit_code", 0);
        db.bulkWrite(List.of(doc));
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            held.hold(token);
            assertThat(held.start(token)).isFalse();
        }
        Token after = new Token(db.get(token.id()).orElseThrow());
        assertThat(after.state()).isEqualTo(TokenState.DONE);
        assertThat(after.document().has("runs")).isFalse();
    }

    @Test
    void the_result_of_a_job_whose_token_picas_reset_meanwhile_goes_into_runs_as_superseded(TestCouch couch)
            throws Exception {
        CouchDatabase db = couch.database(couch.createDatabase());
        Token token = claimed(db, 1).get(0);
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            held.hold(token);
            assertThat(held.start(token)).isTrue();
            picasReset(db, token.id());
            HeldTokens.Saved saved = held.finish(token.id(), success(), clock.instant().getEpochSecond())
                    .get(10, TimeUnit.SECONDS);
            assertThat(saved).isEqualTo(HeldTokens.Saved.DROPPED);
            assertThat(held.holds(token.id())).isFalse();
        }
        Token after = new Token(db.get(token.id()).orElseThrow());
        assertThat(after.state()).isEqualTo(TokenState.TODO);
        assertThat(after.document().path("scrub_count").asInt()).isEqualTo(1);
        assertThat(after.document().path("runs")).hasSize(1);
        assertThat(after.document().path("runs").get(0).path("outcome").asText()).isEqualTo("superseded");
        assertThat(after.document().path("runs").get(0).path("claim_id").asText()).isEqualTo(token.claimId());
        assertThat(after.document().path("runs").get(0).path("exit_code").asInt()).isZero();
        assertThat(after.document().has("stdout_tail")).isFalse();
    }

    @Test
    void a_superseded_result_waits_for_another_clients_lock_before_it_is_recorded(TestCouch couch) throws Exception {
        CouchDatabase db = couch.database(couch.createDatabase());
        Token token = claimed(db, 1).get(0);
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            held.hold(token);
            assertThat(held.start(token)).isTrue();
            picasRelock(db, token.id(), token.lock() + 1);
            held.finish(token.id(), success(), clock.instant().getEpochSecond()).get(10, TimeUnit.SECONDS);
            ObjectNode picasHolds = db.get(token.id()).orElseThrow();
            assertThat(picasHolds.has("runs")).isFalse(); // a write now would make the pilot's result conflict

            picasHolds.put("done", token.lock() + 2).put("exit_code", 0);
            db.bulkWrite(List.of(picasHolds));
            held.renewLeases();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> db.get(token.id()).orElseThrow().path("runs").size() == 1);
        }
        Token after = new Token(db.get(token.id()).orElseThrow());
        assertThat(after.state()).isEqualTo(TokenState.DONE);
        assertThat(after.document().path("hostname").asText()).isEqualTo("picas-node");
        assertThat(after.document().path("runs").get(0).path("outcome").asText()).isEqualTo("superseded");
    }

    @Test
    void a_token_reset_by_another_client_in_the_changes_feed_has_its_job_stopped(TestCouch couch) throws Exception {
        CouchDatabase db = couch.database(couch.createDatabase());
        Token token = claimed(db, 1).get(0);
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            List<String> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();
            held.onLeaseLost(stopped::add);
            held.hold(token);
            assertThat(held.start(token)).isTrue();
            held.observe(List.of(db.get(token.id()).orElseThrow())); // our own start write: nothing to do
            assertThat(stopped).isEmpty();
            picasReset(db, token.id());
            held.observe(List.of(db.get(token.id()).orElseThrow()));
            assertThat(stopped).containsExactly(token.id());
        }
    }

    @Test
    void a_claim_the_feed_showed_back_needs_no_start_write_until_another_client_changes_it(TestCouch couch) {
        CouchDatabase db = couch.database(couch.createDatabase());
        List<Token> tokens = claimed(db, 2);
        Token early = tokens.get(0);
        Token late = tokens.get(1);
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            // the feed may show a claim before the claimer hands the token over, or after
            held.observe(List.of(db.get(early.id()).orElseThrow()));
            held.hold(early);
            held.hold(late);
            assertThat(held.shownByFeed(late.id())).isFalse(); // not shown yet: its start must be written
            held.observe(List.of(db.get(late.id()).orElseThrow()));
            assertThat(held.shownByFeed(early.id())).isTrue();
            assertThat(held.shownByFeed(late.id())).isTrue();

            picasRelock(db, late.id(), late.lock() + 1);
            held.observe(List.of(db.get(late.id()).orElseThrow()));
            assertThat(held.shownByFeed(late.id())).isFalse(); // another client's lock: proven by a start write again
            assertThat(held.shownByFeed(early.id())).isTrue();
        }
    }

    @Test
    void a_job_start_waits_for_its_claim_while_the_feed_keeps_delivering_other_changes(TestCouch couch)
            throws Exception {
        CouchDatabase db = couch.database(couch.createDatabase());
        List<Token> tokens = claimed(db, 2);
        Token mine = tokens.get(0);
        ObjectNode other = db.get(tokens.get(1).id()).orElseThrow(); // not held: a change of no concern
        Duration quiet = Duration.ofMillis(250);
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            held.hold(mine);
            // a large claim comes back change by change: ours after many others, later than the quiet interval
            CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
                long until = System.nanoTime() + 3 * quiet.toNanos();
                while (System.nanoTime() < until) {
                    held.observe(List.of(other));
                    sleepQuietly(10);
                }
                held.observe(List.of(db.get(mine.id()).orElseThrow()));
            });
            assertThat(held.shownByFeed(mine.id(), quiet)).isTrue();
            feed.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void a_job_start_stops_waiting_for_a_silent_feed_for_one_far_behind_and_for_another_revision(TestCouch couch)
            throws Exception {
        CouchDatabase db = couch.database(couch.createDatabase());
        List<Token> tokens = claimed(db, 2);
        Token mine = tokens.get(0);
        ObjectNode other = db.get(tokens.get(1).id()).orElseThrow();
        Duration quiet = Duration.ofMillis(50);
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            held.hold(mine);
            assertThat(held.shownByFeed(mine.id(), quiet)).isFalse(); // silent: a start write proves it instead

            // busy, but never ours: not waited for forever
            assertThat(shownWhileDelivering(held, mine.id(), quiet, other)).isFalse();
            // another client's lock, shown while we wait: no use waiting on, however busy the feed
            picasRelock(db, mine.id(), mine.lock() + 1);
            ObjectNode relocked = db.get(mine.id()).orElseThrow();
            assertThat(shownWhileDelivering(held, mine.id(), Duration.ofSeconds(10), relocked)).isFalse();
        }
    }

    /** {@link HeldTokens#shownByFeed(String, Duration)} while a busy feed delivers {@code doc} again and again. */
    private static boolean shownWhileDelivering(HeldTokens held, String id, Duration quiet, ObjectNode doc)
            throws Exception {
        java.util.concurrent.atomic.AtomicBoolean delivering = new java.util.concurrent.atomic.AtomicBoolean(true);
        CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
            while (delivering.get()) {
                held.observe(List.of(doc));
                sleepQuietly(5);
            }
        });
        try {
            return held.shownByFeed(id, quiet);
        } finally {
            delivering.set(false);
            feed.get(10, TimeUnit.SECONDS);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis); // the pace of a feed's deliveries, which is what is being tested
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void one_start_write_proves_the_claims_waiting_behind_it_and_lets_go_of_a_changed_one(TestCouch couch) {
        CountingDatabase db = new CountingDatabase(couch.settings(couch.createDatabase()));
        List<Token> tokens = claimed(db, 3);
        picasRelock(db, tokens.get(2).id(), tokens.get(2).lock() + 1); // taken while it waited in our queue
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            tokens.forEach(held::hold);
            int before = db.bulkWrites.get();

            assertThat(held.start(tokens.get(0), List.of(tokens.get(1).id(), tokens.get(2).id()))).isTrue();

            assertThat(db.bulkWrites.get() - before).isEqualTo(1);
            assertThat(held.proof(tokens.get(0).id())).contains(true);
            String waited = tokens.get(1).id(); // answered by the same request, completed just after the first
            await().atMost(Duration.ofSeconds(10)).until(() -> held.proof(waited).isPresent());
            assertThat(held.proof(waited)).contains(true);
            String taken = tokens.get(2).id();
            await().atMost(Duration.ofSeconds(10)).until(() -> held.proof(taken).isPresent() || !held.holds(taken));
            assertThat(held.proof(taken).orElse(false)).isFalse(); // let go: its job will not run
        }
        assertThat(new Token(db.get(tokens.get(1).id()).orElseThrow()).document().has("started_at")).isTrue();
        assertThat(db.get(tokens.get(2).id()).orElseThrow().path("hostname").asText()).isEqualTo("picas-node");
    }

    @Test
    void a_waiting_token_whose_job_started_and_finished_before_the_proof_was_written_gets_no_start_write(TestCouch couch)
            throws Exception {
        CountingDatabase db = new CountingDatabase(couch.settings(couch.createDatabase()));
        List<Token> tokens = claimed(db, 3);
        Token first = tokens.get(0);
        Token waiting = tokens.get(1);
        try (HeldTokens held = held(db, Duration.ofSeconds(2))) {
            holdAndOpenAWriteInterval(held, tokens);
            long started = clock.instant().getEpochSecond();
            // the waiting token's job ran on the feed's proof and ended; its outcome and a proof asked for it while it
            // waited share the next request
            CompletableFuture<HeldTokens.Saved> finished = held.finish(waiting.id(), success(), started);
            CompletableFuture<Boolean> proven = CompletableFuture.supplyAsync(
                    () -> held.start(first, List.of(waiting.id())));

            assertThat(proven.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(finished.get(10, TimeUnit.SECONDS)).isEqualTo(HeldTokens.Saved.WRITTEN);
            assertThat(db.startsWritten).containsExactly(first.id());
            assertThat(held.tokensLetGo()).isZero(); // before, its start write met our own outcome and let it "go"
        }
        assertThat(new Token(db.get(waiting.id()).orElseThrow()).state()).isEqualTo(TokenState.DONE);
    }

    @Test
    void a_token_released_before_its_job_started_is_not_proven_and_gets_no_start_write(TestCouch couch)
            throws Exception {
        CountingDatabase db = new CountingDatabase(couch.settings(couch.createDatabase()));
        List<Token> tokens = claimed(db, 2);
        Token released = tokens.get(0);
        try (HeldTokens held = held(db, Duration.ofSeconds(2))) {
            holdAndOpenAWriteInterval(held, tokens);
            // released at shutdown while its job thread was on its way to the proof: the release and the proof share
            // the next request, and the job must not start on a claim that is being given back
            CompletableFuture<HeldTokens.Saved> release = held.finish(released.id(),
                    new Outcome.Released("worker stopping"), clock.instant().getEpochSecond());
            CompletableFuture<Boolean> proven = CompletableFuture.supplyAsync(() -> held.start(released));

            assertThat(proven.get(10, TimeUnit.SECONDS)).isFalse();
            assertThat(release.get(10, TimeUnit.SECONDS)).isEqualTo(HeldTokens.Saved.WRITTEN);
            assertThat(db.startsWritten).isEmpty();
            assertThat(held.tokensLetGo()).isZero();
        }
        assertThat(new Token(db.get(released.id()).orElseThrow()).state()).isEqualTo(TokenState.TODO);
    }

    @Test
    void a_waiting_token_the_feed_showed_back_before_its_proof_was_written_gets_no_start_write(TestCouch couch)
            throws Exception {
        CountingDatabase db = new CountingDatabase(couch.settings(couch.createDatabase()));
        List<Token> tokens = claimed(db, 3);
        Token first = tokens.get(0);
        Token waiting = tokens.get(1);
        try (HeldTokens held = held(db, Duration.ofSeconds(2))) {
            holdAndOpenAWriteInterval(held, tokens);
            CompletableFuture<Boolean> proven = new CompletableFuture<>();
            Thread job = new Thread(() -> proven.complete(held.start(first, List.of(waiting.id()))));
            job.start();
            // the job waits for its proof: both proofs are queued for the next request
            await().atMost(Duration.ofSeconds(10)).until(() -> job.getState() == Thread.State.WAITING);
            held.observe(List.of(db.get(waiting.id()).orElseThrow())); // the feed brings our claim back meanwhile

            assertThat(proven.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(held.proof(waiting.id())).contains(true);
            assertThat(db.startsWritten).containsExactly(first.id());
        }
    }

    @Test
    void while_picas_pilots_lock_tokens_every_start_is_written_at_the_start(TestCouch couch) throws Exception {
        CountingDatabase db = new CountingDatabase(couch.settings(couch.createDatabase()));
        List<Token> tokens = claimed(db, 4);
        Token shown = tokens.get(0);
        Token overwritten = tokens.get(1);
        Token provenEarlier = tokens.get(2);
        try (HeldTokens held = held(db, Duration.ofMillis(20))) {
            tokens.forEach(held::hold);
            held.observe(List.of(db.get(shown.id()).orElseThrow(), db.get(overwritten.id()).orElseThrow()));
            assertThat(held.start(tokens.get(3), List.of(provenEarlier.id()))).isTrue(); // proven as it waited
            // answered by the same request, completed just after the first
            await().atMost(Duration.ofSeconds(10)).until(() -> held.proof(provenEarlier.id()).isPresent());
            assertThat(held.proof(provenEarlier.id())).contains(true);
            // a PiCaS pilot writes over a claim without looking, after the feed showed it and before the job starts
            picasRelock(db, overwritten.id(), overwritten.lock() + 1);
            db.startsWritten.clear();

            assertThat(held.startWritten(shown)).isTrue();
            assertThat(held.startWritten(overwritten)).isFalse(); // let go: its job will not run
            assertThat(held.startWritten(provenEarlier)).isTrue();

            assertThat(db.startsWritten).containsExactly(shown.id(), overwritten.id(), provenEarlier.id());
            assertThat(held.holds(overwritten.id())).isFalse();
        }
        assertThat(new Token(db.get(shown.id()).orElseThrow()).document().has("started_at")).isTrue();
        assertThat(db.get(overwritten.id()).orElseThrow().path("hostname").asText()).isEqualTo("picas-node");
    }

    /**
     * Holds the tokens and writes the last one's outcome, which goes at once: what comes next waits for the write
     * interval and shares one request.
     */
    private void holdAndOpenAWriteInterval(HeldTokens held, List<Token> tokens) throws Exception {
        tokens.forEach(held::hold);
        assertThat(held.finish(tokens.get(tokens.size() - 1).id(), success(), clock.instant().getEpochSecond())
                .get(10, TimeUnit.SECONDS)).isEqualTo(HeldTokens.Saved.WRITTEN);
    }
}
