package io.couchwork.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.couchwork.Couchwork;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.PicasPilot;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.token.DesignDocuments;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * PiCaS pilots and Couchwork workers on one pool, PiCaS's resetTokens run on the locked tokens meanwhile: Couchwork never
 * starts a token another client took, every Couchwork execution ends in a runs entry, and PiCaS's views agree with
 * couchwork status.
 */
@ExtendWith(CouchDbServerExtension.class)
class MixedFleetIT {

    private static final int TOKENS = 60;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path temp;

    @Test
    void picas_pilots_and_couchwork_workers_share_a_pool_without_running_each_others_tokens(TestCouch couch)
            throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        new DesignDocuments(couch.database(db)).installFor(List.of("token"));
        StringBuilder docs = new StringBuilder("[");
        for (int i = 0; i < TOKENS; i++) {
            docs.append(i == 0 ? "" : ",").append("{\"_id\":\"m").append(i).append("\",\"type\":\"token\",\"lock\":0,"
                    + "\"done\":0,\"hostname\":\"\",\"scrub_count\":0,\"input\":{},\"exit_code\":\"\",\"output\":{},"
                    + "\"uploads\":{},\"error\":[]}");
        }
        http.bulk(docs.append("]").toString());
        Path events = temp.resolve("events");
        Map<String, String> settings = TokenPoolIT.settings(couch, db,
                "echo couchwork {_id} >> '" + events + "'; sleep 0.2");
        settings.put("couchwork.pool.prefetch", "4");
        settings.put("couchwork.pool.lease-duration", "6s");
        ExecutorService pilots = Executors.newFixedThreadPool(3);
        try (RunningApp app = RunningApp.start(settings)) {
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                PicasPilot pilot = new PicasPilot(http, "picas-" + p, events);
                running.add(pilots.submit(() -> {
                    while (pilot.runOne()) {
                        Thread.onSpinWait();
                    }
                }));
            }
            PicasPilot resetter = new PicasPilot(http, "reset", events);
            running.add(pilots.submit(() -> {
                for (int round = 0; round < 3; round++) {
                    Thread.sleep(400);
                    for (JsonNode row : http.get("/_design/Monitor/_view/locked").path("rows")) {
                        resetter.reset(row.path("id").asText());
                    }
                }
                return null;
            }));
            for (Future<?> pilot : running) {
                pilot.get(2, TimeUnit.MINUTES);
            }
            await().atMost(WAIT).until(() -> http.overview("Monitor", "done") + http.overview("Monitor", "error")
                    == TOKENS);
            // results not applied to tokens PiCaS held locked are recorded at the next renewal, a third of a lease on
            await().atMost(WAIT).until(() -> unrecordedRuns(http, events).isEmpty());
        } finally {
            pilots.shutdownNow();
        }

        List<String> history = Files.readAllLines(events);
        List<String> wrong = startsAfterAnotherClientTook(history);
        assertThat(wrong).as("events of those tokens: %s", eventsOf(wrong, history)).isEmpty();
        assertThat(unrecordedRuns(http, events)).isEmpty();
        JsonNode status = status(couch, db);
        JsonNode counts = null;
        for (JsonNode set : status.path("sets")) {
            if ("token".equals(set.path("type").asText())) {
                counts = set.path("counts");
            }
        }
        assertThat(counts).as(status.toString()).isNotNull();
        for (String state : List.of("todo", "locked", "done", "error")) {
            assertThat(counts.path(state).asLong()).as(state).isEqualTo(http.viewCount("Monitor", state));
        }
        assertThat(http.viewCount("Monitor", "done")).isEqualTo(TOKENS);
    }

    /**
     * Couchwork job starts of a token after another client took it (from todo, or from a Couchwork claim whose job had
     * not started) and before the next reset of it.
     */
    private static List<String> startsAfterAnotherClientTook(List<String> events) {
        Set<String> takenByOthers = new HashSet<>();
        List<String> wrong = new ArrayList<>();
        for (String event : events) {
            String[] words = event.split(" ");
            switch (words[0]) {
                case "picas" -> {
                    if (!words[2].equals("started")) {
                        takenByOthers.add(words[1]);
                    }
                }
                case "reset" -> takenByOthers.remove(words[1]);
                case "couchwork" -> {
                    if (takenByOthers.contains(words[1])) {
                        wrong.add(event);
                    }
                }
                default -> { }
            }
        }
        return wrong;
    }

    /** The events that name the tokens of {@code starts}, in order. */
    private static List<String> eventsOf(List<String> starts, List<String> events) {
        Set<String> ids = new HashSet<>();
        starts.forEach(start -> ids.add(start.split(" ")[1]));
        return events.stream().filter(event -> ids.contains(event.split(" ")[1])).toList();
    }

    /** Tokens with more Couchwork job starts than runs entries of Couchwork executions that ran a job. */
    private static Map<String, String> unrecordedRuns(PlainHttp http, Path events) throws Exception {
        Map<String, Integer> starts = new HashMap<>();
        for (String event : Files.readAllLines(events)) {
            if (event.startsWith("couchwork ")) {
                starts.merge(event.split(" ")[1], 1, Integer::sum);
            }
        }
        Map<String, String> missing = new HashMap<>();
        starts.forEach((id, count) -> {
            JsonNode runs = http.doc(id).path("runs");
            int ran = 0;
            for (JsonNode run : runs) {
                String outcome = run.path("outcome").asText();
                if (!outcome.equals("lease expired") && !outcome.contains("before the job started")) {
                    ran++;
                }
            }
            if (ran < count) {
                missing.put(id, count + " starts, runs " + runs);
            }
        });
        return missing;
    }

    private static JsonNode status(TestCouch couch, String db) throws Exception {
        List<String> args = new ArrayList<>(List.of("status"));
        couch.properties(db).forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
        args.add("--json");
        StringWriter out = new StringWriter();
        CommandLine cli = Couchwork.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(cli.execute(args.toArray(String[]::new))).isZero();
        return new ObjectMapper().readTree(out.toString());
    }
}
