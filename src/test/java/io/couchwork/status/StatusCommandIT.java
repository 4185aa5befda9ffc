package io.couchwork.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.couchwork.Couchwork;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.KnownPool;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import io.couchwork.token.ClaimingSwitch;
import io.couchwork.token.DesignDocuments;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** couchwork status against the test server: its numbers are the database's, as PiCaS's own views count them. */
@ExtendWith(CouchDbServerExtension.class)
class StatusCommandIT {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void should_print_json_whose_counts_equal_the_picas_views(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        KnownPool pool = KnownPool.write(couch, db);
        new DesignDocuments(couch.database(db)).installFor(List.of("token", "other"));
        PlainHttp http = pool.http();
        http.awaitOverview("Monitor", "todo", KnownPool.TODO); // the pool just written, as views show it

        assertThat(status(couch, db, "--json")).as(err.toString()).isZero();
        JsonNode status = new ObjectMapper().readTree(out.toString());

        JsonNode token = set(status, "token");
        for (String state : List.of("todo", "locked", "done", "error")) {
            assertThat(token.path("counts").path(state).asLong()).as(state).isEqualTo(http.overview("Monitor", state));
        }
        assertThat(token.path("counts").path("todo").asLong()).isEqualTo(KnownPool.TODO);
        assertThat(token.path("total").asLong()).isEqualTo(http.overviewTotal("Monitor"));
        assertThat(token.path("pending").asLong()).isEqualTo(KnownPool.TODO + KnownPool.LOCKED);
        assertThat(set(status, "other").path("counts").path("todo").asLong()).isEqualTo(http.overview("other", "todo"));
        // 4 done in the last 5 minutes: 0.8 a minute, so 5 pending drain in 375 s
        assertThat(token.path("throughput").path("per_minute").asDouble()).isEqualTo(0.8);
        long charted = 0;
        for (JsonNode minute : token.path("throughput").path("series")) {
            charted += minute.path("done").asLong();
        }
        assertThat(charted).isEqualTo(KnownPool.DONE);
        assertThat(token.path("drain_seconds").asLong()).isEqualTo(375);
        assertThat(token.path("oldest_lock").path("token").asText()).isEqualTo("locked_old");
        assertThat(token.path("oldest_lock").path("since").asLong()).isEqualTo(pool.now() - 100);

        Map<String, Long> inFlight = new java.util.TreeMap<>();
        status.path("workers").forEach(w -> inFlight.put(w.path("hostname").asText() + "/" + w.path("worker_id").asText(),
                w.path("in_flight").asLong()));
        assertThat(inFlight).containsExactly(Map.entry("host-a/worker-a", 1L), Map.entry("host-b/worker-b", 1L));

        assertThat(status.path("error_summary").get(0).path("message").asText()).isEqualTo(KnownPool.ERROR_MESSAGE);
        assertThat(status.path("error_summary").get(0).path("count").asLong()).isEqualTo(KnownPool.ERROR);
        JsonNode recent = status.path("recent_errors");
        assertThat(recent).hasSize(KnownPool.ERROR);
        assertThat(recent.get(0).path("token").asText()).isEqualTo("failed_1");
        assertThat(recent.get(0).path("time").asLong()).isEqualTo(pool.now() - 40);
        assertThat(recent.get(0).path("attachments").get(0).asText()).isEqualTo("stderr.log");
        assertThat(status.path("dead_letters").path("count").asLong()).isEqualTo(1);
        assertThat(status.path("dead_letters").path("latest").path("doc_id").asText()).isEqualTo("device_1");
    }

    @Test
    void should_print_a_table_of_one_set_with_the_same_numbers(TestCouch couch) {
        String db = couch.createDatabase();
        KnownPool.write(couch, db);

        assertThat(status(couch, db, "--set", "token")).as(err.toString()).isZero();

        List<String> lines = out.toString().lines().toList();
        // the oldest lock's age grows while the test runs: only its token is fixed
        assertThat(lines).anySatisfy(line -> assertThat(line.split("\\s+"))
                .startsWith("token", "3", "2", "4", "2", "0", "0.8", "6m15s").endsWith("(locked_old)"));
        assertThat(lines).noneMatch(line -> line.startsWith("other "));
        assertThat(out.toString()).contains("Workers seen recently: 2", KnownPool.ERROR_MESSAGE, "Dead letters: 1");
    }

    @Test
    void should_show_workflow_documents_per_flow_and_state(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        KnownPool.write(couch, db); // tokens and a dead letter: neither is a workflow document
        PlainHttp http = new PlainHttp(couch, db);
        http.put("d1", "{\"type\":\"device\",\"state\":\"new\"}");
        http.put("d2", "{\"type\":\"device\",\"state\":\"new\"}");
        http.put("d3", "{\"type\":\"device\",\"state\":\"confirming\"}");
        http.put("d4", "{\"type\":\"device\",\"state\":\"dead_letter\"}");
        http.put("c1", "{\"type\":\"channel\",\"state\":\"ready\"}");
        http.put("w1", "{\"type\":\"widget\",\"state\":\"polished\"}");

        assertThat(status(couch, db, "--json")).as(err.toString()).isZero();
        JsonNode flows = new ObjectMapper().readTree(out.toString()).path("flows");
        JsonNode devices = flow(flows, "devices");
        assertThat(devices.path("declared").asBoolean()).isTrue();
        assertThat(devices.path("types").get(0).asText()).isEqualTo("device");
        assertThat(devices.path("total").asLong()).isEqualTo(4);
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        devices.path("counts").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
        // declared states in their order, zeros included, then the others
        assertThat(counts).containsExactly(Map.entry("new", 2L), Map.entry("resend", 0L), Map.entry("confirming", 1L),
                Map.entry("confirmed", 0L), Map.entry("active", 0L), Map.entry("expired", 0L),
                Map.entry("dead_letter", 1L));
        assertThat(flow(flows, "channels").path("counts").path("ready").asLong()).isEqualTo(1);
        assertThat(flow(flows, "pipeline").path("total").asLong()).isZero();
        JsonNode widgets = flow(flows, "widget");
        assertThat(widgets.path("declared").asBoolean()).isFalse();
        assertThat(widgets.path("counts").path("polished").asLong()).isEqualTo(1);
        assertThat(flows.findValuesAsText("flow")).doesNotContain("token", "dead_letter", "other");

        out.getBuffer().setLength(0);
        assertThat(status(couch, db)).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).contains("Workflow documents per flow and state");
        assertThat(lines).anySatisfy(line -> assertThat(line.strip()).isEqualTo(
                "devices                       4  new 2, resend 0, confirming 1, confirmed 0, active 0, expired 0,"
                        + " dead_letter 1"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("widget (no states file)", "polished 1"));
        assertThat(lines).noneMatch(line -> line.strip().startsWith("pipeline"));
    }

    @Test
    void should_say_claiming_is_paused_and_list_only_running_workers(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        KnownPool pool = KnownPool.write(couch, db);
        new DesignDocuments(couch.database(db)).installFor(List.of("token"));
        PlainHttp http = pool.http();
        ClaimingSwitch.set(couch.database(db), true, "ops", java.time.Clock.systemUTC());
        long now = pool.now();
        // presence documents (refresh 10 s, so a lease of 30 s): refreshed just now, late but within three leases,
        // and silent for longer (a worker that died); stopped workers delete theirs
        http.put("couchwork_worker:live", presence("live", now, now + 30));
        http.put("couchwork_worker:late", presence("late", now - 60, now - 30));
        http.put("couchwork_worker:gone", presence("gone", now - 200, now - 170));

        assertThat(status(couch, db, "--json")).as(err.toString()).isZero();
        JsonNode status = new ObjectMapper().readTree(out.toString());
        assertThat(status.path("claiming").path("paused").asBoolean()).isTrue();
        assertThat(status.path("claiming").path("paused_by").asText()).isEqualTo("ops");
        Map<String, String> workers = new java.util.TreeMap<>();
        status.path("workers").forEach(w -> workers.put(w.path("worker_id").asText(), w.path("presence").asText()));
        // worker-a and worker-b hold tokens without presence documents: PiCaS pilots
        assertThat(workers).containsExactly(Map.entry("late", "late"), Map.entry("live", "live"),
                Map.entry("worker-a", "none"), Map.entry("worker-b", "none"));
        assertThat(http.overviewTotal("Monitor")).isEqualTo(KnownPool.TODO + KnownPool.LOCKED + KnownPool.DONE
                + KnownPool.ERROR);

        out.getBuffer().setLength(0);
        assertThat(status(couch, db)).as(err.toString()).isZero();
        assertThat(out.toString().lines().toList().get(1)).startsWith("Claiming paused by ops since ");
        assertThat(out.toString()).contains("Workers seen recently: 4");
    }

    private static String presence(String worker, long seen, long aliveUntil) {
        return "{\"type\":\"couchwork_worker\",\"worker_id\":\"" + worker + "\",\"hostname\":\"h\",\"types\":[\"token\"],"
                + "\"seen\":" + seen + ",\"alive_until\":" + aliveUntil + ",\"claiming_paused\":true}";
    }

    @Test
    void should_fail_with_one_line_when_the_database_is_missing(TestCouch couch) {
        assertThat(status(couch, couch.newDatabaseName())).isEqualTo(78);
        assertThat(err.toString().lines()).hasSize(1);
    }

    private int status(TestCouch couch, String db, String... args) {
        List<String> all = new ArrayList<>(List.of("status"));
        couch.properties(db).forEach((k, v) -> all.addAll(List.of("-D", k + "=" + v)));
        all.addAll(List.of(args));
        CommandLine cli = Couchwork.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(all.toArray(String[]::new));
    }

    private static JsonNode flow(JsonNode flows, String name) {
        for (JsonNode flow : flows) {
            if (name.equals(flow.path("flow").asText())) {
                return flow;
            }
        }
        throw new AssertionError("no flow " + name + " in " + flows);
    }

    private static JsonNode set(JsonNode status, String type) {
        for (JsonNode set : status.path("sets")) {
            if (type.equals(set.path("type").asText())) {
                return set;
            }
        }
        throw new AssertionError("no set " + type + " in " + status);
    }
}
