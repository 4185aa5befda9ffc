package io.couchwork.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import io.couchwork.testing.ConflictFixtures;
import io.couchwork.app.CouchworkHome;
import io.couchwork.devserver.BundledCouchServer;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestHome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Header;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The changes: consumer with the real app: type/state selection, resuming from its checkpoint, surviving restarts. */
@ExtendWith(CouchDbServerExtension.class)
class ChangesConsumerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ROUTE = """
            - route:
                id: recordNewDevices
                from:
                  uri: "changes:recorder"
                  parameters:
                    types: device
                    states: new
                    concurrency: 2
                  steps:
                    - to:
                        uri: "bean:recorder?method=record"
            """;

    @TempDir
    Path home;

    private CouchworkHome testHome;

    /** Records the ids of the documents the route was handed. */
    public static final class Recorder {
        final List<String> ids = new CopyOnWriteArrayList<>();

        public void record(@Header(ChangesHeaders.DOC_ID) String id) {
            ids.add(id);
        }
    }

    @BeforeEach
    void writeHome() {
        testHome = TestHome.create(home, List.of(), Map.of("record.camel.yaml", ROUTE));
    }

    @Test
    void should_hand_over_matching_documents_written_before_and_after_start(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("d1", "{\"type\":\"device\",\"state\":\"new\"}");
        http.put("d2", "{\"type\":\"device\",\"state\":\"active\"}");
        http.put("c1", "{\"type\":\"channel\",\"state\":\"new\"}");
        Recorder recorder = new Recorder();
        try (RunningApp app = start(couch, db, recorder)) {
            http.put("d3", "{\"type\":\"device\",\"state\":\"new\"}");
            await().atMost(WAIT).until(() -> recorder.ids.size() >= 2);
        }
        assertThat(recorder.ids).containsExactlyInAnyOrder("d1", "d3");
    }

    @Test
    void should_park_a_document_whose_replicas_diverged_undecidably_and_hand_over_the_rest(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        String rev = http.put("split", "{\"type\":\"device\",\"state\":\"new\",\"email\":\"a@example.org\"}")
                .path("rev").asText();
        http.put("split", "{\"_rev\":\"" + rev + "\",\"type\":\"device\",\"state\":\"new\",\"email\":"
                + "\"b@example.org\"}");
        // another replica changed the same revision differently, in the same state: no state is further along
        new ConflictFixtures(couch, db).branch(rev, object("{\"_id\":\"split\",\"type\":\"device\",\"state\":"
                + "\"new\",\"email\":\"c@example.org\"}"), "other-replica", 1);
        http.put("plain", "{\"type\":\"device\",\"state\":\"new\"}");
        Recorder recorder = new Recorder();
        try (RunningApp app = start(couch, db, recorder)) {
            await().atMost(WAIT).until(() -> http.doc("split").path("state").asText().equals("dead_letter")
                    && recorder.ids.contains("plain"));
        }
        assertThat(recorder.ids).containsExactly("plain");
        JsonNode split = new ConflictFixtures(couch, db).withConflicts("split");
        assertThat(split.has("_conflicts")).as("conflicts left: %s", split).isFalse();
        JsonNode letter = http.doc(split.path("dead_letter").path("id").asText());
        assertThat(letter.path("doc_id").asText()).isEqualTo("split");
        assertThat(letter.path("conflicting_revisions").findValuesAsText("email"))
                .containsExactlyInAnyOrder("b@example.org", "c@example.org");
    }

    private static ObjectNode object(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void should_resume_from_its_checkpoint_and_see_every_change_made_while_down(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        Recorder first = new Recorder();
        try (RunningApp app = start(couch, db, first)) {
            for (int i = 0; i < 3; i++) {
                http.put("before" + i, "{\"type\":\"device\",\"state\":\"new\"}");
            }
            await().atMost(WAIT).until(() -> first.ids.size() == 3);
        }
        for (int i = 0; i < 4; i++) {
            http.put("while_down" + i, "{\"type\":\"device\",\"state\":\"new\"}");
        }
        Recorder second = new Recorder();
        try (RunningApp app = start(couch, db, second)) {
            await().atMost(WAIT).until(() -> second.ids.size() >= 4);
        }
        assertThat(second.ids).containsExactlyInAnyOrder("while_down0", "while_down1", "while_down2", "while_down3");
        assertThat(http.doc("_local/couchwork-changes-recorder").path("seq").isMissingNode()).isFalse();
    }

    @Test
    void should_reconnect_by_itself_when_the_server_comes_back(TestCouch couch) throws Exception {
        Path data = home.resolve("data");
        BundledCouchServer server = CouchDbServerExtension.startBundledServer(
                BundledCouchServer.Options.inMemory().onDisk(data));
        int port = server.port();
        TestCouch own = TestCouch.forUrl(server.url());
        String db = own.createDatabase();
        Recorder recorder = new Recorder();
        try (RunningApp app = start(own, db, recorder)) {
            PlainHttp http = new PlainHttp(own, db);
            http.put("first", "{\"type\":\"device\",\"state\":\"new\"}");
            await().atMost(WAIT).until(() -> recorder.ids.contains("first"));
            server.close();
            server = CouchDbServerExtension.startBundledServer(BundledCouchServer.Options.inMemory().onDisk(data)
                    .onPort(port));
            new PlainHttp(own, db).put("after_restart", "{\"type\":\"device\",\"state\":\"new\"}");
            await().atMost(WAIT).until(() -> recorder.ids.contains("after_restart"));
        } finally {
            server.close();
        }
        assertThat(recorder.ids).containsExactly("first", "after_restart");
    }

    private RunningApp start(TestCouch couch, String db, Recorder recorder) {
        Map<String, String> settings = couch.properties(db);
        settings.put("couchwork.report.interval", "1h");
        settings.put("couchwork.couchdb.max-retries", "0");
        return RunningApp.start(testHome, testHome.configFile(), settings, null, Map.of("recorder", recorder));
    }
}
