package io.couchwork.recurring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.couchwork.app.CouchworkHome;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.ops.TokenBuilder;
import io.couchwork.ops.TokenFileFormat;
import io.couchwork.ops.TokenFileReader;
import io.couchwork.testing.CapturedLog;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestHome;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;

/** The recurring token set: its bean against the test server, and routes/load-recurring-tokens.camel.yaml in the app. */
@ExtendWith(CouchDbServerExtension.class)
class RecurringTokensIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ROUTE_FILE = "load-recurring-tokens.camel.yaml";
    private static final String ROUTE_ID = "loadRecurringTokens";
    /** Three tokens: two rows alike are two tokens, as in couchwork load. */
    private static final String TOKEN_FILE = "input,cores\na.dat,1\nb.dat,4\na.dat,1\n";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-15T02:00:01Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void should_load_the_file_as_couchwork_load_does_once_per_run(TestCouch couch) throws IOException {
        CouchDatabase database = couch.database(couch.createDatabase());
        Path file = Files.writeString(dir.resolve("nightly.csv"), TOKEN_FILE);
        RecurringTokenSet recurring = new RecurringTokenSet(database, file, "token", CLOCK);
        Instant night = Instant.parse("2026-01-15T02:00:00Z");

        RecurringRun first = recurring.load(night);
        RecurringRun sameRun = recurring.load(night); // another worker's firing, or a retry
        RecurringRun nextNight = recurring.load(night.plus(Duration.ofDays(1)));

        assertThat(first.created()).isEqualTo(3);
        assertThat(sameRun.created()).isZero();
        assertThat(sameRun.alreadyLoaded()).isEqualTo(3);
        assertThat(nextNight.created()).isEqualTo(3);
        Map<String, List<ObjectNode>> runs = runs(database);
        assertThat(runs.keySet()).containsExactly("20260115T020000Z", "20260116T020000Z");
        List<String> asCouchworkLoadWrites = new TokenBuilder("token", null, 0, "input", null, CLOCK)
                .build(TokenFileReader.read(file, TokenFileFormat.AUTO)).stream().map(RecurringTokensIT::fields).toList();
        for (List<ObjectNode> run : runs.values()) {
            assertThat(run).extracting(RecurringTokensIT::fields).containsExactlyInAnyOrderElementsOf(asCouchworkLoadWrites);
        }
        JsonNode token = runs.get("20260115T020000Z").get(0);
        assertThat(token.path("type").asText()).isEqualTo("token");
        assertThat(token.path("lock").asInt()).isZero();
        assertThat(token.path("done").asInt()).isZero();
        assertThat(token.path("exit_code").asText()).isEmpty();
        assertThat(token.path("error").isArray()).isTrue();
    }

    @Test
    void should_report_a_missing_or_invalid_file_by_name_and_write_nothing(TestCouch couch) throws IOException {
        CouchDatabase database = couch.database(couch.createDatabase());
        Path missing = dir.resolve("missing.csv");
        Path invalid = Files.writeString(dir.resolve("invalid.csv"), "input,cores\na.dat\n");
        Instant night = Instant.parse("2026-01-15T02:00:00Z");
        try (CapturedLog log = CapturedLog.of(RecurringTokenSet.class)) {
            RecurringRun none = new RecurringTokenSet(database, missing, "token", CLOCK).load(night);
            RecurringRun bad = new RecurringTokenSet(database, invalid, "token", CLOCK).load(night);

            assertThat(none.loaded()).isFalse();
            assertThat(none.problem()).isEqualTo(missing + ": no such file");
            assertThat(bad.problem()).isEqualTo(invalid + ":2: 1 field, header has 2");
            assertThat(log.lines()).containsExactly(
                    "ERROR Run 20260115T020000Z of token set 'token' not loaded: " + missing
                            + ": no such file (couchwork.recurring.file)",
                    "ERROR Run 20260115T020000Z of token set 'token' not loaded: " + invalid
                            + ":2: 1 field, header has 2 (couchwork.recurring.file)");
        }
        assertThat(database.withIdPrefix("token_")).isEmpty();
    }

    @Test
    void should_load_a_new_run_at_every_firing_of_the_route(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        CouchworkHome home = home(dir);
        Files.writeString(home.root().resolve("config/nightly.csv"), TOKEN_FILE);
        try (CapturedLog log = CapturedLog.of(RecurringTokenSet.class);
                RunningApp app = RunningApp.start(home, home.configFile(), settings(couch, db, "config/nightly.csv"))) {
            await().atMost(WAIT).until(() -> log.linesWith(": 3 created, 0 already loaded").size() >= 2);
        }
        // stopped: every firing that started has finished
        Map<String, List<ObjectNode>> runs = runs(couch.database(db));
        assertThat(runs).hasSizeGreaterThanOrEqualTo(2);
        runs.forEach((stamp, tokens) -> assertThat(tokens).as(stamp)
                .extracting(t -> t.path("input").asText() + " " + t.path("cores").asInt())
                .containsExactlyInAnyOrder("a.dat 1", "b.dat 4", "a.dat 1"));
    }

    @Test
    void should_log_a_missing_file_keep_running_and_load_it_once_it_is_there(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        CouchworkHome home = home(dir);
        Path file = home.root().resolve("config/nightly.csv");
        try (CapturedLog log = CapturedLog.of(RecurringTokenSet.class);
                RunningApp app = RunningApp.start(home, home.configFile(), settings(couch, db, "config/nightly.csv"))) {
            await().atMost(WAIT).until(() -> !log.linesWith("ERROR", file + ": no such file").isEmpty());
            assertThat(couch.database(db).withIdPrefix("token_")).isEmpty();
            assertThat(app.context().getRouteController().getRouteStatus(ROUTE_ID)).isEqualTo(ServiceStatus.Started);

            Files.writeString(file, TOKEN_FILE);
            await().atMost(WAIT).until(() -> !log.linesWith(": 3 created").isEmpty());
        }
    }

    @Test
    void should_load_each_run_once_when_two_workers_fire_for_it(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        CouchworkHome homeA = home(dir.resolve("a"));
        CouchworkHome homeB = home(dir.resolve("b"));
        for (CouchworkHome home : List.of(homeA, homeB)) {
            Files.writeString(home.root().resolve("config/nightly.csv"), TOKEN_FILE);
        }
        Map<String, String> settingsA = settings(couch, db, "config/nightly.csv");
        Map<String, String> settingsB = new HashMap<>(settingsA);
        // one Quartz scheduler per Camel context name in a JVM: two apps in one test need two names
        settingsA.put("camel.main.name", "worker-a");
        settingsB.put("camel.main.name", "worker-b");
        String fromA = "from " + homeA.root().resolve("config/nightly.csv") + ":";
        String fromB = "from " + homeB.root().resolve("config/nightly.csv") + ":";
        try (CapturedLog log = CapturedLog.of(RecurringTokenSet.class);
                RunningApp a = RunningApp.start(homeA, homeA.configFile(), settingsA);
                RunningApp b = RunningApp.start(homeB, homeB.configFile(), settingsB)) {
            await().atMost(WAIT).until(() -> firedByBoth(log, fromA, fromB).size() >= 3);
            // of each run both fired for, the two created 3 tokens together: the other write met them as conflicts
            firedByBoth(log, fromA, fromB).forEach((stamp, reports) -> assertThat(reports.stream()
                    .mapToInt(report -> Integer.parseInt(report.split(": ")[1].split(" ")[0])).sum()).as(stamp)
                    .isEqualTo(3));
        }
        Map<String, List<ObjectNode>> runs = runs(couch.database(db));
        assertThat(runs).hasSizeGreaterThanOrEqualTo(3);
        runs.forEach((stamp, tokens) -> assertThat(tokens).as(stamp).hasSize(3));
    }

    @Test
    void should_ship_the_route_disabled(TestCouch couch) throws IOException {
        Properties shipped = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("config/application.properties"))) {
            shipped.load(reader);
        }
        assertThat(shipped.getProperty("couchwork.recurring.enabled")).isEqualTo("false");
        JsonNode route = new ObjectMapper(new YAMLFactory()).readTree(Path.of("routes", ROUTE_FILE).toFile()).get(0)
                .get("route");
        assertThat(route.path("id").asText()).isEqualTo(ROUTE_ID);
        assertThat(route.path("autoStartup").asText()).isEqualTo("{{couchwork.recurring.enabled}}");
        assertThat(route.path("from").path("uri").asText()).startsWith("quartz:");
        assertThat(route.path("from").path("parameters").path("cron").asText()).isEqualTo("{{couchwork.recurring.cron}}");

        String db = couch.createDatabase();
        CouchworkHome home = home(dir);
        try (RunningApp app = RunningApp.start(home, home.configFile(), couch.properties(db))) {
            assertThat(app.context().getRoute(ROUTE_ID)).isNotNull();
            assertThat(app.context().getRouteController().getRouteStatus(ROUTE_ID)).isEqualTo(ServiceStatus.Stopped);
            assertThat(app.bean("recurringTokenSet", RecurringTokenSet.class)).isNotNull();
        }
    }

    @Test
    void should_schedule_the_cron_in_the_configured_time_zone(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        CouchworkHome home = home(dir);
        Map<String, String> settings = settings(couch, db, "config/nightly.csv");
        settings.put("couchwork.recurring.cron", "0 0 2 * * ?");
        settings.put("couchwork.recurring.time-zone", "Europe/Amsterdam");
        try (RunningApp app = RunningApp.start(home, home.configFile(), settings)) {
            QuartzEndpoint endpoint = (QuartzEndpoint) app.context().getRoute(ROUTE_ID).getEndpoint();
            CronTrigger trigger = (CronTrigger) endpoint.getComponent().getScheduler().getTrigger(endpoint.getTriggerKey());
            assertThat(trigger.getCronExpression()).isEqualTo("0 0 2 * * ?");
            assertThat(trigger.getTimeZone().getID()).isEqualTo("Europe/Amsterdam");
            assertThat(trigger.getNextFireTime().toInstant().atZone(ZoneId.of("Europe/Amsterdam")).toLocalTime())
                    .isEqualTo(LocalTime.of(2, 0));
        }
    }

    /** The report lines of the runs both workers fired for, by run (each worker's lines name its own file). */
    private static Map<String, List<String>> firedByBoth(CapturedLog log, String fromA, String fromB) {
        Map<String, List<String>> reports = log.linesWith(" already loaded").stream()
                .filter(line -> line.contains(fromA) || line.contains(fromB))
                .collect(Collectors.groupingBy(line -> line.split(" ")[2]));
        reports.values().removeIf(lines -> lines.size() < 2);
        return reports;
    }

    private static CouchworkHome home(Path root) {
        return TestHome.create(root, List.of("error-handling.camel.yaml", ROUTE_FILE), Map.of());
    }

    /** The recurring route on, firing every second, for the token file at {@code file} (relative to the home). */
    private static Map<String, String> settings(TestCouch couch, String db, String file) {
        Map<String, String> settings = couch.properties(db);
        settings.put("couchwork.recurring.enabled", "true");
        settings.put("couchwork.recurring.cron", "* * * * * ?");
        settings.put("couchwork.recurring.file", file);
        settings.put("couchwork.report.interval", "1h");
        return settings;
    }

    /** The set's tokens by run, from their ids: token_<run>_<hash>. */
    private static Map<String, List<ObjectNode>> runs(CouchDatabase database) {
        return database.withIdPrefix("token_").stream().collect(Collectors.groupingBy(
                token -> token.path("_id").asText().split("_")[1], TreeMap::new, Collectors.toList()));
    }

    /** A token's fields but its id, revision and creation time. */
    private static String fields(ObjectNode token) {
        ObjectNode copy = token.deepCopy();
        copy.remove(List.of("_id", "_rev", "created"));
        return copy.toString();
    }
}
