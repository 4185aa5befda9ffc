package io.couchwork.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.FaultInjectingProxy;
import io.couchwork.testing.FaultInjectingProxy.Fault;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.token.DesignDocuments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Writes the server applied but whose answers never reached the worker: found again by claim id, never doubled. */
@ExtendWith(CouchDbServerExtension.class)
class LostAnswerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private Map<String, String> settings(TestCouch couch, String db, FaultInjectingProxy proxy, String command) {
        Map<String, String> settings = TokenPoolIT.settings(couch, db, command);
        settings.put("couchwork.couchdb.url", proxy.url());
        settings.put("couchwork.pool.lease-duration", "10m"); // a claim left to its lease would outlast the test
        return settings;
    }

    @Test
    void should_run_a_token_whose_claim_answer_was_lost_at_once(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        new DesignDocuments(couch.database(db)).installFor(List.of("token")); // the first _bulk_docs is the claim
        PlainHttp http = new PlainHttp(couch, db);
        http.put("t1", TokenPoolIT.picasToken("a"));
        Path ran = temp.resolve("ran.txt");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url())) {
            proxy.failNext("/_bulk_docs", Fault.DROP);
            try (RunningApp app = RunningApp.start(settings(couch, db, proxy, "echo {_id} >> '" + ran + "'"))) {
                await().atMost(WAIT).until(() -> http.doc("t1").path("done").asLong() > 0);
            }
            assertThat(proxy.injected(Fault.DROP)).isEqualTo(1);
        }
        assertThat(Files.readAllLines(ran)).containsExactly("t1");
        assertThat(http.doc("t1").path("runs")).hasSize(1);
    }

    @Test
    void should_run_a_token_at_once_when_neither_its_claim_answer_nor_the_first_read_back_arrived(TestCouch couch)
            throws Exception {
        String db = couch.createDatabase();
        new DesignDocuments(couch.database(db)).installFor(List.of("token"));
        PlainHttp http = new PlainHttp(couch, db);
        Path ran = temp.resolve("ran.txt");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url())) {
            try (RunningApp app = RunningApp.start(settings(couch, db, proxy, "echo {_id} >> '" + ran + "'"))) {
                // the claim goes through but its answer is lost, and so is the answer of the read that looks for it:
                // the claim must not be left to its lease (10 minutes here), nor count against the token
                proxy.failNext("/_bulk_docs", Fault.DROP);
                proxy.failNext("/_all_docs", Fault.DROP);
                http.put("t1", TokenPoolIT.picasToken("a"));
                await().atMost(WAIT).until(() -> http.doc("t1").path("done").asLong() > 0);
            }
            assertThat(proxy.injected(Fault.DROP)).isEqualTo(2);
        }
        JsonNode token = http.doc("t1");
        assertThat(Files.readAllLines(ran)).containsExactly("t1");
        assertThat(token.path("runs").findValuesAsText("outcome")).containsExactly("done");
        assertThat(token.path("attempts").asInt()).isZero();
        assertThat(token.path("error")).isEmpty();
    }

    @Test
    void should_not_count_an_attempt_twice_when_the_answer_to_its_outcome_was_lost(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        new DesignDocuments(couch.database(db)).installFor(List.of("token"));
        PlainHttp http = new PlainHttp(couch, db);
        http.put("t1", TokenPoolIT.picasToken("a"));
        Path ran = temp.resolve("ran.txt");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url())) {
            proxy.failAfter("/_bulk_docs", 1, Fault.DROP); // the claim goes through; the retry outcome's answer is lost
            Map<String, String> settings = settings(couch, db, proxy, "echo {_id} >> '" + ran + "'; exit 3");
            settings.put("couchwork.pool.max-attempts", "2");
            try (RunningApp app = RunningApp.start(settings)) {
                await().atMost(WAIT).until(() -> http.overview("Monitor", "error") == 1);
            }
            assertThat(proxy.injected(Fault.DROP)).isEqualTo(1);
        }
        JsonNode token = http.doc("t1");
        assertThat(Files.readAllLines(ran)).containsExactly("t1", "t1");
        assertThat(token.path("attempts").asInt()).isEqualTo(2);
        assertThat(token.path("runs")).hasSize(2);
        assertThat(new HashSet<>(token.path("runs").findValuesAsText("claim_id"))).hasSize(2);
    }
}
