package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.conflicts.TokenConflictHandler;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.testing.ConflictFixtures;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.MutableClock;
import io.couchwork.testing.TestCouch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** When the claimer reads the view, and what its MVCC writes decide, against the real server. */
@ExtendWith(CouchDbServerExtension.class)
class TokenClaimerIT {

    private static final WorkerIdentity WORKER = new WorkerIdentity("host", "host-1-test", Map.of());

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

    private TokenClaimer claimer(CouchDatabase db) {
        return new TokenClaimer(db, List.of("token"), WORKER, clock, new Random(7), 300);
    }

    private static CouchDatabase database(TestCouch couch) {
        CouchDatabase db = CouchDatabase.connect(couch.settings(couch.createDatabase()));
        new DesignDocuments(db).installFor(List.of("token"));
        return db;
    }

    private List<ObjectNode> write(CouchDatabase db, int count, String prefix) {
        NewTokens factory = new NewTokens("token", clock);
        List<ObjectNode> docs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            docs.add(factory.token(TextNode.valueOf(prefix + i), 0));
        }
        db.bulkWrite(docs);
        return docs;
    }

    @Test
    void should_read_the_view_at_start_then_only_when_told_the_queue_may_have_missed_something(TestCouch couch) {
        CouchDatabase db = database(couch);
        write(db, 3, "a");
        TokenClaimer claimer = claimer(db);

        assertThat(claimer.claim(10)).hasSize(3);
        assertThat(claimer.viewReads()).isEqualTo(1);

        write(db, 2, "b"); // not offered: as if the feed had missed them
        assertThat(claimer.claim(10)).isEmpty();
        assertThat(claimer.viewReads()).isEqualTo(1); // the view said it had shown everything

        claimer.markStale(); // the safety net: a gap in the feed, or an idle poll interval
        assertThat(claimer.claim(10)).hasSize(2);
        assertThat(claimer.viewReads()).isEqualTo(2);
    }

    @Test
    void should_claim_what_the_feed_offers_and_lose_a_race_for_a_stale_entry_without_error(TestCouch couch) {
        CouchDatabase db = database(couch);
        TokenClaimer mine = claimer(db);
        TokenClaimer other = claimer(db);
        assertThat(mine.claim(1)).isEmpty(); // empty pool: the start's view read
        assertThat(other.claim(1)).isEmpty();

        List<ObjectNode> written = write(db, 1, "x");
        List<ObjectNode> current = db.getAll(List.of(written.get(0).path("_id").asText()));
        mine.offer(current);
        other.offer(current);

        List<Token> won = other.claim(1);
        List<Token> lost = mine.claim(1);

        assertThat(won).hasSize(1);
        assertThat(lost).isEmpty();
        assertThat(mine.conflicts()).isEqualTo(1);
        assertThat(mine.viewReads()).isEqualTo(1);
        assertThat(new Token(db.get(won.get(0).id()).orElseThrow()).workerId()).isEqualTo(WORKER.workerId());
    }

    @Test
    void should_read_the_view_again_when_the_queue_runs_dry_while_the_view_held_more(TestCouch couch) {
        CouchDatabase db = database(couch);
        write(db, 25, "t"); // a queue of 20 reads 10 ready tokens at a time
        TokenClaimer claimer = new TokenClaimer(db, List.of("token"), WORKER, clock, new Random(7), 300, 20);

        int claimed = 0;
        for (List<Token> batch = claimer.claim(4); !batch.isEmpty(); batch = claimer.claim(4)) {
            claimed += batch.size();
        }

        assertThat(claimed).isEqualTo(25);
        assertThat(claimer.viewReads()).isEqualTo(3); // 10, 10, then 5: fewer than asked, so nothing more to read
    }

    @Test
    void should_skip_tokens_it_cannot_run_without_failing_the_claims_of_good_ones(TestCouch couch) {
        CouchDatabase db = database(couch);
        write(db, 2, "good");
        int depth = 1500; // deeper than Jackson's default limit, which failed whole view reads and feed batches
        String deepJson = "{\"type\": \"token\", \"lock\": 0, \"done\": 0, \"nest\": " + "{\"a\": ".repeat(depth)
                + "1" + "}".repeat(depth) + "}";
        io.couchwork.testing.PlainHttp http = new io.couchwork.testing.PlainHttp(couch, db.name());
        http.put("deep", deepJson); // written as any client would: Couchwork's writer stops at 1000 levels
        ObjectNode text = io.couchwork.couchdb.Json.object().put("_id", "text").put("type", "token").put("lock", "0")
                .put("done", 0);
        db.bulkWrite(List.of(text));
        ObjectNode deep = db.get("deep").orElseThrow();
        TokenClaimer claimer = claimer(db);

        List<Token> claimed = claimer.claim(10);
        claimer.offer(List.of(text, deep)); // as the feed delivers them
        claimed.addAll(claimer.claim(10));

        assertThat(claimed).extracting(Token::id).hasSize(2).noneMatch(id -> id.equals("deep") || id.equals("text"));
        assertThat(claimer.queued()).isZero();
    }

    @Test
    void should_read_its_next_picks_anew_after_losing_most_races_and_forget_tokens_taken_meanwhile(TestCouch couch) {
        CouchDatabase db = database(couch);
        write(db, 6, "t");
        TokenClaimer mine = claimer(db);
        TokenClaimer other = new TokenClaimer(db, List.of("token"), new WorkerIdentity("host", "host-2-other",
                Map.of()), clock, new Random(7), 300);
        assertThat(mine.claim(0)).isEmpty();
        mine.markStale();
        assertThat(mine.claim(1)).hasSize(1); // reads the view: 5 left in its queue
        assertThat(other.claim(10)).hasSize(5); // all the rest, while our feed says nothing of it

        assertThat(mine.claim(2)).isEmpty(); // two stale entries, two races lost
        long reads = mine.viewReads();
        assertThat(mine.claim(2)).isEmpty(); // its next picks read by id: nothing left, no more lost races

        assertThat(mine.viewReads()).isEqualTo(reads); // by id, not a view read (its index may be far behind)
        assertThat(mine.conflicts()).isEqualTo(2);
        assertThat(mine.queued()).isZero();
    }

    @Test
    void should_say_when_the_feed_brought_something_to_claim_and_not_for_others_claims(TestCouch couch) {
        CouchDatabase db = database(couch);
        TokenClaimer claimer = claimer(db);
        assertThat(claimer.claim(0)).isEmpty();
        List<ObjectNode> written = write(db, 2, "t");
        List<ObjectNode> fresh = db.getAll(written.stream().map(doc -> doc.path("_id").asText()).toList());

        assertThat(claimer.offer(fresh)).isTrue(); // new todo tokens: wake the claimer

        TokenClaimer other = new TokenClaimer(db, List.of("token"), new WorkerIdentity("host", "host-2-other",
                Map.of()), clock, new Random(7), 300);
        List<Token> taken = other.claim(10);
        assertThat(taken).hasSize(2);
        List<ObjectNode> claimed = db.getAll(taken.stream().map(Token::id).toList());
        assertThat(claimer.offer(claimed)).isFalse(); // another worker's claims only shorten the queue
        assertThat(claimer.queued()).isZero();
    }

    @Test
    void should_pass_over_documents_without_a_type_and_design_documents(TestCouch couch) {
        CouchDatabase db = database(couch);
        TokenClaimer claimer = claimer(db);
        ObjectNode design = (ObjectNode) io.couchwork.couchdb.Json.MAPPER.createObjectNode()
                .put("_id", "_design/Monitor").put("_rev", "1-a").put("language", "javascript");
        ObjectNode untyped = (ObjectNode) io.couchwork.couchdb.Json.MAPPER.createObjectNode()
                .put("_id", "notes").put("_rev", "1-b").put("lock", 0).put("done", 0);
        List<ObjectNode> written = write(db, 1, "t");

        assertThat(claimer.offer(List.of(design, untyped))).isFalse();
        assertThat(claimer.offer(db.getAll(List.of(written.get(0).path("_id").asText())))).isTrue();
        assertThat(claimer.queued()).isEqualTo(1);
    }

    @Test
    void should_run_claims_answered_202_accepted_once_read_back_as_the_tokens_one_revision(TestCouch couch) {
        CouchDatabase db = database(couch);
        write(db, 3, "q");
        TokenClaimer claimer = claimer(db);
        claimer.writeClaimsThrough(docs -> db.bulkWrite(docs).stream().map(WriteResult::asAccepted).toList());

        List<Token> claimed = claimer.claim(10);

        assertThat(claimed).hasSize(3);
        for (Token token : claimed) {
            Token stored = new Token(db.get(token.id()).orElseThrow());
            assertThat(stored.claimId()).isEqualTo(token.claimId());
            assertThat(stored.rev()).isEqualTo(token.rev());
        }
        assertThat(claimer.conflicts()).isZero();
    }

    @Test
    void should_not_run_a_claim_answered_202_accepted_that_another_node_claimed_too_unless_resolution_keeps_it(
            TestCouch couch) {
        CouchDatabase db = database(couch);
        ObjectNode todo = write(db, 1, "n").get(0);
        String id = todo.path("_id").asText();
        String todoRev = db.get(id).orElseThrow().path("_rev").asText();
        ConflictFixtures fixtures = new ConflictFixtures(couch, db.name());
        WorkerIdentity other = new WorkerIdentity("elsewhere", "elsewhere-1-test", Map.of());
        TokenClaimer claimer = claimer(db);
        claimer.onConflicted(docs -> new TokenConflictHandler(db, clock).resolve(docs));
        claimer.writeClaimsThrough(docs -> {
            List<WriteResult> results = db.bulkWrite(docs);
            // while our claim reached too few copies, a worker on another node claimed the token there; two edits
            // deep, so CouchDB shows that claim, and the rules (a tie between locked revisions) keep it
            ObjectNode theirs = new Token(db.get(id).orElseThrow()).claimed(other, "their-claim",
                    clock.instant().getEpochSecond(), clock.instant().getEpochSecond() + 300).document();
            theirs.put("_id", id);
            theirs.remove("_rev");
            fixtures.branch(todoRev, theirs, "other-node", 2);
            return results.stream().map(WriteResult::asAccepted).toList();
        });

        List<Token> claimed = claimer.claim(1);

        assertThat(claimed).as("not ours to run: the resolution kept the other claim").isEmpty();
        com.fasterxml.jackson.databind.JsonNode stored = fixtures.withConflicts(id);
        assertThat(stored.has("_conflicts")).as("conflicts left: %s", stored).isFalse();
        assertThat(stored.path("claim_id").asText()).isEqualTo("their-claim");
        assertThat(claimer.conflicts()).isEqualTo(1);
    }
}
