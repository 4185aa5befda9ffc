package io.couchwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.token.ClaimingSwitch;
import io.couchwork.token.NewTokens;
import io.couchwork.token.Token;
import io.couchwork.token.WorkerIdentity;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.TestCouch;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bench's wait for finished tokens never takes a token whose claim was proven by a start write for finished, and ends
 * a row when the feed shows its last token finished, not after the check that reads them back.
 */
@ExtendWith(CouchDbServerExtension.class)
class DoneWatchIT {

    private static final WorkerIdentity WORKER = new WorkerIdentity("host", "host-1-bench", Map.of());

    @Test
    void waits_for_a_token_at_its_third_revision_that_is_still_running_until_it_is_done(TestCouch couch)
            throws Exception {
        CouchDatabase db = CouchDatabase.connect(couch.settings(couch.createDatabase()));
        NewTokens factory = new NewTokens("token", Clock.systemUTC());
        List<ObjectNode> docs = List.of(factory.token(TextNode.valueOf("a"), 0), factory.token(TextNode.valueOf("b"), 0));
        db.bulkWrite(docs);
        Token done = finish(db, claim(db, docs.get(0).path("_id").asText()));
        assertThat(done.rev()).startsWith("3-");
        Token claimed = claim(db, docs.get(1).path("_id").asText());
        Token started = write(db, claimed.started(1, 300)); // a start write: the third revision, job still running
        assertThat(started.rev()).startsWith("3-");

        DoneWatch watch = new DoneWatch(db);
        AtomicInteger ends = new AtomicInteger();
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(
                () -> watch.awaitFinished(2, ends::incrementAndGet));
        // the row's end is taken when the feed shows both at their third revision, before the check reads them back
        await().atMost(Duration.ofSeconds(10)).until(() -> ends.get() == 1);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());

        finish(db, started);
        // and taken again when the one the check found running is seen finished: that is the end returned
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(ends).hasValue(2);
    }

    @Test
    void does_not_take_the_pools_control_document_for_a_finished_token(TestCouch couch) {
        CouchDatabase db = CouchDatabase.connect(couch.settings(couch.createDatabase()));
        NewTokens factory = new NewTokens("token", Clock.systemUTC());
        ObjectNode token = factory.token(TextNode.valueOf("a"), 0);
        db.bulkWrite(List.of(token));
        // paused, resumed and paused again (as the bench does row after row): a third revision, like a finished token
        ClaimingSwitch.set(db, true, "bench", Clock.systemUTC());
        ClaimingSwitch.set(db, false, "bench", Clock.systemUTC());
        ClaimingSwitch.set(db, true, "bench", Clock.systemUTC());

        DoneWatch watch = new DoneWatch(db);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> watch.awaitFinished(1));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());

        finish(db, claim(db, token.path("_id").asText()));
        await().atMost(Duration.ofSeconds(30)).until(waiting::isDone);
        assertThat(waiting).isCompleted();
    }

    private static Token claim(CouchDatabase db, String id) {
        return write(db, new Token(db.get(id).orElseThrow()).claimed(WORKER, "claim-" + id, 1, 300));
    }

    private static Token finish(CouchDatabase db, Token token) {
        return write(db, token.finished(2, 0, TextNode.valueOf("ok"), 1, null));
    }

    private static Token write(CouchDatabase db, Token token) {
        return token.withRev(db.put(token.document()).rev());
    }
}
