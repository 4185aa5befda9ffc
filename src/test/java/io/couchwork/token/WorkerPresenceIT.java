package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.ViewQuery;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.MutableClock;
import io.couchwork.testing.TestCouch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Workers' presence documents, against the real server: written, refreshed, read, withdrawn, forgotten; shares agree. */
@ExtendWith(CouchDbServerExtension.class)
class WorkerPresenceIT {

    private static final Duration REFRESH = Duration.ofSeconds(100);
    private static final WorkerIdentity A = new WorkerIdentity("host", "host-1-aaaa", Map.of());
    private static final WorkerIdentity B = new WorkerIdentity("host", "host-2-bbbb", Map.of());

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));

    private static CouchDatabase database(TestCouch couch) {
        CouchDatabase db = CouchDatabase.connect(couch.settings(couch.createDatabase()));
        new DesignDocuments(db).installFor(List.of("token"));
        return db;
    }

    private WorkerPresence presence(CouchDatabase db, WorkerIdentity worker) {
        return new WorkerPresence(db, worker, List.of("token"), clock, REFRESH);
    }

    @Test
    void a_presence_document_announces_the_worker_until_it_withdraws_and_no_token_view_counts_it(TestCouch couch) {
        CouchDatabase db = database(couch);
        WorkerPresence a = presence(db, A);

        a.announce();
        clock.advance(Duration.ofSeconds(100));
        a.announce(); // refreshed on its own revision

        ObjectNode doc = db.get(WorkerPresence.ID_PREFIX + A.workerId()).orElseThrow();
        assertThat(doc.path("type").asText()).isEqualTo(WorkerPresence.TYPE);
        assertThat(doc.path("worker_id").asText()).isEqualTo(A.workerId());
        assertThat(doc.path("types")).containsExactly(TextNode.valueOf("token"));
        assertThat(doc.path("alive_until").asLong()).isEqualTo(clock.instant().getEpochSecond() + 210);
        assertThat(doc.path("_rev").asText()).startsWith("2-");
        List<JsonNode> states = db.view(TokenViews.COUCHWORK_DESIGN, TokenViews.STATES, ViewQuery.grouped(2));
        assertThat(states).isEmpty();
        assertThat(presence(db, B).readAll()).extracting(d -> d.path("_id").asText())
                .containsExactly(WorkerPresence.ID_PREFIX + A.workerId());

        a.withdraw();

        assertThat(db.get(WorkerPresence.ID_PREFIX + A.workerId())).isEmpty();
        assertThat(presence(db, B).readAll()).isEmpty();
    }

    @Test
    void presence_documents_of_workers_long_gone_are_deleted_by_the_next_read(TestCouch couch) {
        CouchDatabase db = database(couch);
        presence(db, A).announce(); // A dies: its document stays, promising life for 210 s
        clock.advance(Duration.ofSeconds(210).plus(WorkerPresence.FORGET_AFTER).plusSeconds(1));
        WorkerPresence b = presence(db, B);
        b.announce();

        assertThat(b.readAll()).hasSize(2); // read as they were: A's shows expired
        assertThat(db.get(WorkerPresence.ID_PREFIX + A.workerId())).isEmpty();
        assertThat(db.get(WorkerPresence.ID_PREFIX + B.workerId())).isPresent();
    }

    @Test
    void workers_that_announced_themselves_claim_disjoint_shares_from_their_first_claim(TestCouch couch) {
        CouchDatabase db = database(couch);
        NewTokens factory = new NewTokens("token", clock);
        List<ObjectNode> docs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            docs.add(factory.token(TextNode.valueOf("t" + i), 0));
        }
        db.bulkWrite(docs);
        WorkerPresence a = presence(db, A);
        WorkerPresence b = presence(db, B);
        a.announce();
        b.announce();
        TokenClaimer claimerA = new TokenClaimer(db, List.of("token"), A, clock, new Random(1), 300);
        TokenClaimer claimerB = new TokenClaimer(db, List.of("token"), B, clock, new Random(1), 300);
        claimerA.knowWorkers(a.readAll());
        claimerB.knowWorkers(b.readAll());

        // neither has seen the other write a token: without presence both would pick at random, and race
        List<Token> fromA = claimerA.claim(10, 0);
        List<Token> fromB = claimerB.claim(10, 0);

        assertThat(fromA).isNotEmpty();
        assertThat(fromB).isNotEmpty();
        Set<String> ids = new HashSet<>();
        fromA.forEach(t -> ids.add(t.id()));
        fromB.forEach(t -> assertThat(ids.add(t.id())).isTrue());
        assertThat(claimerA.conflicts() + claimerB.conflicts()).isZero();

        // B withdraws (it stops): the feed delivers the deletion, and B's share is A's from then on
        b.withdraw();
        ObjectNode stub = Json.object().put("_id", WorkerPresence.ID_PREFIX + B.workerId()).put("_deleted", true);
        claimerA.offer(db.getAll(fromB.stream().map(Token::id).toList())); // B's claims, as the feed shows them
        claimerA.offer(List.of(stub));
        List<Token> rest = new ArrayList<>();
        for (List<Token> batch = claimerA.claim(10, 0); !batch.isEmpty(); batch = claimerA.claim(10, 0)) {
            rest.addAll(batch);
        }
        assertThat(fromA.size() + fromB.size() + rest.size()).isEqualTo(40);
    }
}
