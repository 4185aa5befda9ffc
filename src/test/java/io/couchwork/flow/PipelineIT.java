package io.couchwork.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import io.couchwork.Couchwork;
import io.couchwork.app.CouchworkHome;
import io.couchwork.testing.ConflictFixtures;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestHome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The EDELWEISS-style pipeline: files added by the command go through both stages, failures become dead letters. */
@ExtendWith(CouchDbServerExtension.class)
class PipelineIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path home;

    private CouchworkHome testHome;

    @BeforeEach
    void writeHome() {
        testHome = TestHome.create(home, List.of("error-handling.camel.yaml", "record-dead-letters.camel.yaml",
                "process-datafiles.camel.yaml"), Map.of());
    }

    @Test
    void should_take_each_added_file_through_both_stages_once(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        Map<String, String> settings = settings(couch, db);
        List<String> args = new ArrayList<>(List.of("add-datafiles", "--count", "4", "--config",
                testHome.configFile().toString()));
        settings.forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
        assertThat(Couchwork.commandLine().execute(args.toArray(String[]::new))).isZero();
        List<String> ids = new ArrayList<>();
        for (JsonNode row : http.get("_all_docs").path("rows")) {
            if (!row.path("id").asText().startsWith("_")) {
                ids.add(row.path("id").asText());
            }
        }
        assertThat(ids).hasSize(4);
        try (RunningApp app = start(settings)) {
            await().atMost(WAIT).until(() -> ids.stream()
                    .allMatch(id -> http.doc(id).path("state").asText().equals("analysis1")));
            assertThat(http.get("_design/process/_view/lastproc?group_level=1").path("rows").get(0).path("key").get(0)
                    .asText()).isEqualTo("analysis1");
        }
        for (String id : ids) {
            JsonNode file = http.doc(id);
            JsonNode process = file.path("process");
            assertThat(process.findValuesAsText("name")).containsExactly("move_to_sps", "analysis1");
            assertThat(process.get(0).path("result").asText()).isEqualTo("moved /mnt/data/" + id + ".root");
            assertThat(process.get(1).path("result").asText()).isEqualTo("analysed " + id);
            assertThat(process.get(1).path("hostname").asText()).isNotEmpty();
            assertThat(process.get(1).path("time").asLong()).isGreaterThanOrEqualTo(process.get(0).path("time").asLong());
            assertThat(file.has("handler_lease")).isFalse();
        }
    }

    @Test
    void should_retry_then_dead_letter_a_file_whose_step_fails(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("corrupt_000", "{\"type\":\"datafile\",\"state\":\"new\",\"original_file\":\"/mnt/data/corrupt.root\","
                + "\"process\":[]}");
        Map<String, String> settings = settings(couch, db);
        settings.put("couchwork.flows.pipeline.move-command",
                "case {original_file} in *corrupt*) echo unreadable >&2; exit 4;; esac; echo moved");
        try (RunningApp app = start(settings)) {
            await().atMost(WAIT).until(() -> http.doc("corrupt_000").path("state").asText().equals("dead_letter"));
            JsonNode letter = app.bean("deadLetters", DeadLetters.class).list().get(0);
            assertThat(letter.path("route").asText()).isEqualTo("moveDataFiles");
            assertThat(letter.path("cause").asText()).contains("exit code 4: unreadable");
            assertThat(letter.path("attempts").asInt()).isEqualTo(2);
        }
        assertThat(http.doc("corrupt_000").path("process")).isEmpty();
    }

    @Test
    void should_dead_letter_a_file_that_does_not_match_its_schema_without_retrying(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("malformed_000", "{\"type\":\"datafile\",\"state\":\"new\",\"process\":\"not a list\"}");
        try (RunningApp app = start(settings(couch, db))) {
            await().atMost(WAIT).until(() -> http.doc("malformed_000").path("state").asText().equals("dead_letter"));
            JsonNode letter = app.bean("deadLetters", DeadLetters.class).list().get(0);
            assertThat(letter.path("cause").asText()).contains("malformed_000", "original_file", "process");
            assertThat(letter.path("attempts").asInt()).isEqualTo(1);
            assertThat(letter.path("exception").asText()).isEqualTo(InvalidDocumentException.class.getName());
        }
    }

    @Test
    void should_take_a_file_two_replicas_moved_apart_on_from_its_furthest_state_without_moving_it_again(
            TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        String first = http.put("split_000", "{\"type\":\"datafile\",\"state\":\"new\",\"original_file\":"
                + "\"/mnt/data/split.root\",\"process\":[]}").path("rev").asText();
        // here the file is still new, two edits on (so CouchDB shows this leaf as the winner)...
        String edited = http.put("split_000", "{\"_rev\":\"" + first + "\",\"type\":\"datafile\",\"state\":\"new\","
                + "\"original_file\":\"/mnt/data/split.root\",\"process\":[],\"note\":\"a\"}").path("rev").asText();
        http.put("split_000", "{\"_rev\":\"" + edited + "\",\"type\":\"datafile\",\"state\":\"new\","
                + "\"original_file\":\"/mnt/data/split.root\",\"process\":[],\"note\":\"b\"}");
        // ...while another replica moved it, and replication brought that back as a conflicting revision
        ConflictFixtures fixtures = new ConflictFixtures(couch, db);
        fixtures.branch(first, movedElsewhere("{\"_id\":\"split_000\",\"type\":\"datafile\",\"state\":\"move_to_sps\",\"original_file\":"
                + "\"/mnt/data/split.root\",\"process\":[{\"name\":\"move_to_sps\",\"hostname\":\"elsewhere\","
                + "\"time\":1,\"result\":\"moved on the other replica\"}]}"), "other-replica", 1);
        assertThat(fixtures.withConflicts("split_000").path("state").asText()).as("the revision CouchDB shows")
                .isEqualTo("new");
        try (RunningApp app = start(settings(couch, db))) {
            await().atMost(WAIT).until(() -> http.doc("split_000").path("state").asText().equals("analysis1"));
        }
        JsonNode file = fixtures.withConflicts("split_000");
        assertThat(file.has("_conflicts")).as("conflicts left: %s", file).isFalse();
        assertThat(file.path("process").findValuesAsText("name")).containsExactly("move_to_sps", "analysis1");
        assertThat(file.path("process").get(0).path("result").asText()).isEqualTo("moved on the other replica");
    }

    @Test
    void should_run_no_step_again_when_its_feed_replays_changes_already_handled(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        List<String> ids = List.of("replay_000", "replay_001", "replay_002");
        ids.forEach(id -> http.put(id, "{\"type\":\"datafile\",\"state\":\"new\",\"original_file\":\"/mnt/data/"
                + id + ".root\",\"process\":[]}"));
        Map<String, String> settings = settings(couch, db);
        try (RunningApp app = start(settings)) {
            await().atMost(WAIT).until(() -> ids.stream()
                    .allMatch(id -> http.doc(id).path("state").asText().equals("analysis1")));
        }
        Map<String, JsonNode> handled = new java.util.HashMap<>();
        ids.forEach(id -> handled.put(id, http.doc(id)));
        // a feed that rewinds, as CouchDB 3 may replay changes after a node restart: both consumers start over
        for (String consumer : List.of("moveDataFiles", "analyseDataFiles")) {
            JsonNode checkpoint = http.get("/_local/couchwork-changes-" + consumer);
            assertThat(checkpoint.path("seq").isMissingNode()).as("checkpoint of %s", consumer).isFalse();
            http.put("_local/couchwork-changes-" + consumer, "{\"_rev\":\"" + checkpoint.path("_rev").asText()
                    + "\",\"seq\":\"0\"}");
        }
        try (RunningApp app = start(settings)) {
            // written after the replayed changes, so handled after them: both consumers read past them all
            http.put("replay_last", "{\"type\":\"datafile\",\"state\":\"new\",\"original_file\":"
                    + "\"/mnt/data/replay_last.root\",\"process\":[]}");
            await().atMost(WAIT).until(() -> http.doc("replay_last").path("state").asText().equals("analysis1"));
        } // stopping waits for every exchange in flight
        for (String id : ids) {
            assertThat(http.doc(id)).as("%s after the replay", id).isEqualTo(handled.get(id));
        }
    }

    private static ObjectNode movedElsewhere(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> settings(TestCouch couch, String db) {
        Map<String, String> settings = couch.properties(db);
        settings.put("couchwork.report.interval", "1h");
        settings.put("couchwork.pool.enabled", "false");
        settings.put("couchwork.flows.pipeline.enabled", "true");
        settings.put("couchwork.flows.maximum-redeliveries", "1");
        settings.put("couchwork.flows.redelivery-delay", "100");
        return settings;
    }

    private RunningApp start(Map<String, String> settings) {
        return RunningApp.start(testHome, testHome.configFile(), settings, null, Map.of());
    }
}
