package io.couchwork.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.couchwork.couchdb.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.camel.TokenPoolConsumer;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.token.TokenClaimer;
import io.couchwork.token.DesignDocuments;
import io.couchwork.testing.MutableClock;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The token pool end to end: the real app and routes/ against the test server, tokens written by a plain HTTP client. */
@ExtendWith(CouchDbServerExtension.class)
class TokenPoolIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void should_drain_picas_tokens_and_keep_picas_views_right_throughout(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        for (int i = 0; i < 20; i++) {
            http.put("token_" + i, picasToken("in-" + i));
        }
        List<Long> totals = new ArrayList<>();
        installMonitorViews(couch, db);
        http.awaitOverview("Monitor", "todo", 20);
        try (RunningApp app = RunningApp.start(settings(couch, db, "echo {input}"))) {
            await().atMost(WAIT).until(() -> {
                totals.add(http.overviewTotal("Monitor"));
                return http.overview("Monitor", "done") == 20;
            });
        }
        assertThat(totals).allMatch(total -> total == 20);
        assertThat(http.viewCount("Monitor", "done")).isEqualTo(20);
        assertThat(http.viewCount("Monitor", "todo") + http.viewCount("Monitor", "locked")
                + http.viewCount("Monitor", "error")).isZero();
        for (int i = 0; i < 20; i++) {
            JsonNode token = http.doc("token_" + i);
            assertThat(token.path("exit_code").asInt(-9)).isZero();
            assertThat(token.path("stdout_tail").asText()).isEqualTo("in-" + i + "\n");
            assertThat(token.path("lock").asLong()).isPositive();
            assertThat(token.path("done").asLong()).isGreaterThanOrEqualTo(token.path("lock").asLong());
            assertThat(token.path("hostname").asText()).isNotEmpty();
            assertThat(new String(http.attachment("token_" + i, "stdout.log"), StandardCharsets.UTF_8))
                    .isEqualTo("in-" + i + "\n");
        }
    }

    @Test
    void should_retry_a_failing_command_then_record_the_error_state_with_history_and_logs(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("failing", picasToken("x"));
        Map<String, String> settings = settings(couch, db, "echo out-{input}; echo problem-{input} >&2; exit 7");
        settings.put("couchwork.pool.max-attempts", "2");
        try (RunningApp app = RunningApp.start(settings)) {
            await().atMost(WAIT).until(() -> http.overview("Monitor", "error") == 1);
        }
        JsonNode token = http.doc("failing");
        assertThat(token.path("exit_code").asInt()).isEqualTo(7);
        assertThat(token.path("attempts").asInt()).isEqualTo(2);
        assertThat(token.path("scrub_count").asInt()).isEqualTo(1);
        assertThat(token.path("error")).hasSize(2);
        assertThat(token.path("error").get(1).path("message").asText()).isEqualTo("exit code 7: problem-x");
        assertThat(token.path("error").get(1).path("time").asLong()).isPositive();
        assertThat(token.path("runs").findValuesAsText("outcome")).containsExactly("retry", "error");
        assertThat(token.path("stdout_tail").asText()).isEqualTo("out-x\n");
        assertThat(new String(http.attachment("failing", "stderr.log"), StandardCharsets.UTF_8)).isEqualTo("problem-x\n");
    }

    @Test
    void should_retry_after_the_backoff_and_then_succeed(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("flaky", picasToken("y"));
        try (RunningApp app = RunningApp.start(settings(couch, db,
                "if [ -z \"$TOKEN_ATTEMPTS\" ]; then echo first >&2; exit 3; fi; echo second"))) {
            await().atMost(WAIT).until(() -> http.overview("Monitor", "done") == 1);
        }
        JsonNode token = http.doc("flaky");
        assertThat(token.path("attempts").asInt()).isEqualTo(1);
        assertThat(token.path("stdout_tail").asText()).isEqualTo("second\n");
        assertThat(token.path("error")).hasSize(1);
        JsonNode runs = token.path("runs");
        assertThat(runs.findValuesAsText("outcome")).containsExactly("retry", "done");
        assertThat(token.path("not_before").asLong()).isGreaterThanOrEqualTo(runs.get(0).path("ended").asLong() + 1);
        assertThat(runs.get(1).path("started").asLong()).isGreaterThanOrEqualTo(token.path("not_before").asLong());
    }

    @Test
    void should_run_higher_priorities_first(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        Path order = temp.resolve("order.txt");
        int[] priorities = {0, 5, 1, 10, 0};
        for (int i = 0; i < priorities.length; i++) {
            http.put("p" + priorities[i] + "_" + i, "{\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"" + i
                    + "\",\"priority\":" + priorities[i] + "}");
        }
        Map<String, String> settings = settings(couch, db, "echo {_id} >> '" + order + "'");
        settings.put("couchwork.pool.concurrency", "1");
        settings.put("couchwork.pool.prefetch", "0");
        try (RunningApp app = RunningApp.start(settings)) {
            await().atMost(WAIT).until(() -> http.overview("Monitor", "done") == 5);
        }
        List<String> ran = Files.readAllLines(order);
        assertThat(ran).hasSize(5);
        assertThat(ran.subList(0, 3)).containsExactly("p10_3", "p5_1", "p1_2");
        assertThat(ran.subList(3, 5)).containsExactlyInAnyOrder("p0_0", "p0_4");
    }

    @Test
    void should_claim_tokens_written_while_busy_from_the_feed_in_priority_order_without_reading_the_view(
            TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        Path order = temp.resolve("order.txt");
        Path gate = temp.resolve("gate");
        http.put("first", "{\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"wait\"}");
        Map<String, String> settings = settings(couch, db, "if [ {input} = wait ]; then while [ ! -e '" + gate
                + "' ]; do sleep 0.05; done; fi; echo {_id} >> '" + order + "'");
        settings.put("couchwork.pool.concurrency", "1");
        settings.put("couchwork.pool.prefetch", "0");
        settings.put("couchwork.pool.poll-interval", "10m");
        try (RunningApp app = RunningApp.start(settings)) {
            TokenClaimer claimer = ((TokenPoolConsumer) app.context().getRoute("processTokens").getConsumer()).claimer();
            await().atMost(WAIT).until(() -> http.doc("first").path("lock").asLong() > 0);
            long viewReads = claimer.viewReads();
            http.bulk("[{\"_id\":\"p0\",\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"a\"},"
                    + "{\"_id\":\"p7\",\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"b\",\"priority\":7},"
                    + "{\"_id\":\"p3\",\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"c\",\"priority\":3}]");
            await().atMost(WAIT).until(() -> claimer.queued() == 3);
            Files.writeString(gate, "open");
            await().atMost(WAIT).until(() -> http.overview("Monitor", "done") == 4);
            assertThat(claimer.viewReads()).isEqualTo(viewReads);
        }
        assertThat(Files.readAllLines(order)).containsExactly("first", "p7", "p3", "p0");
    }

    @Test
    void should_not_start_a_prefetched_token_whose_lease_another_worker_took_over(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        Path order = temp.resolve("order.txt");
        Path gate = temp.resolve("gate");
        http.put("first", "{\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"wait\",\"priority\":1}");
        http.put("second", "{\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"b\"}");
        Map<String, String> settings = settings(couch, db, "if [ {input} = wait ]; then while [ ! -e '" + gate
                + "' ]; do sleep 0.05; done; fi; echo {_id} >> '" + order + "'");
        settings.put("couchwork.pool.concurrency", "1");
        settings.put("couchwork.pool.prefetch", "1");
        settings.put("couchwork.pool.lease-duration", "3s"); // renewed every second
        try (RunningApp app = RunningApp.start(settings)) {
            await().atMost(WAIT).until(() -> http.doc("second").path("lock").asLong() > 0
                    && http.doc("first").path("lock").asLong() > 0);
            ObjectNode takenOver = (ObjectNode) http.doc("second");
            takenOver.put("claim_id", "someone-else").put("worker_id", "other-worker")
                    .put("lease_until", Instant.now().getEpochSecond() + 3600);
            assertThat(http.put("second", takenOver.toString()).path("ok").asBoolean()).isTrue();
            // two renewals of "first" later, the writer has met the conflict on "second" in the first of them
            long renewed = generation(http.doc("first"));
            await().atMost(WAIT).until(() -> generation(http.doc("first")) >= renewed + 2);
            Files.writeString(gate, "open");
            await().atMost(WAIT).until(() -> http.doc("first").path("done").asLong() > 0);
            await().atMost(WAIT).until(() -> app.context().getRoute("processTokens").getConsumer() instanceof
                    TokenPoolConsumer consumer && consumer.inFlight() == 0);
        }
        assertThat(Files.readAllLines(order)).containsExactly("first");
        assertThat(http.doc("second").path("worker_id").asText()).isEqualTo("other-worker");
    }

    private static long generation(JsonNode doc) {
        String rev = doc.path("_rev").asText();
        return Long.parseLong(rev.substring(0, rev.indexOf('-')));
    }

    @Test
    void should_not_run_a_token_before_its_not_before_time(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        MutableClock clock = new MutableClock(Instant.now());
        long later = clock.instant().getEpochSecond() + 3600;
        http.put("later", "{\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"l\",\"not_before\":" + later + "}");
        http.put("now", picasToken("n"));
        try (RunningApp app = RunningApp.start(settings(couch, db, "echo {input}"), clock)) {
            await().atMost(WAIT).until(() -> http.doc("now").path("done").asLong() > 0);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> http.doc("later").path("lock").asLong() == 0);
            clock.advance(Duration.ofHours(2));
            http.put("nudge", "{\"type\":\"note\"}"); // any change wakes the worker
            await().atMost(WAIT).until(() -> http.doc("later").path("done").asLong() > 0);
        }
        assertThat(http.doc("later").path("lock").asLong()).isGreaterThanOrEqualTo(later);
    }

    @Test
    void should_reap_an_expired_lease_keeping_attachments_and_run_the_token_again(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        long now = Instant.now().getEpochSecond();
        String oldLog = Base64.getEncoder().encodeToString("earlier run\n".getBytes(StandardCharsets.UTF_8));
        http.put("orphan", "{\"type\":\"token\",\"lock\":" + (now - 600) + ",\"done\":0,\"lease_until\":" + (now - 60)
                + ",\"worker_id\":\"dead-worker\",\"claim_id\":\"c-dead\",\"hostname\":\"gone\",\"input\":\"o\","
                + "\"_attachments\":{\"old.log\":{\"content_type\":\"text/plain\",\"data\":\"" + oldLog + "\"}}}");
        http.put("picas_recent", "{\"type\":\"token\",\"lock\":" + (now - 600) + ",\"done\":0,\"input\":\"r\"}");
        http.put("picas_stale", "{\"type\":\"token\",\"lock\":" + (now - 7200) + ",\"done\":0,\"input\":\"s\"}");
        Map<String, String> settings = settings(couch, db, "echo {input}");
        settings.put("couchwork.pool.unleased-lock-timeout", "1h");
        try (RunningApp app = RunningApp.start(settings)) {
            await().atMost(WAIT).until(() -> http.overview("Monitor", "done") == 2);
        }
        JsonNode orphan = http.doc("orphan");
        assertThat(orphan.path("exit_code").asInt(-9)).isZero();
        assertThat(orphan.path("attempts").asInt()).as("an expired lease is no attempt of the job").isZero();
        assertThat(orphan.path("error")).as("nor an error of the job").isEmpty();
        assertThat(orphan.path("lease_expiries").asInt()).isEqualTo(1);
        assertThat(orphan.path("runs").findValuesAsText("outcome")).containsExactly("lease expired", "done");
        assertThat(orphan.path("runs").get(0).path("worker_id").asText()).isEqualTo("dead-worker");
        assertThat(orphan.path("runs").get(0).path("hostname").asText()).isEqualTo("gone");
        assertThat(new String(http.attachment("orphan", "old.log"), StandardCharsets.UTF_8)).isEqualTo("earlier run\n");
        assertThat(http.doc("picas_stale").path("exit_code").asInt(-9)).isZero();
        assertThat(http.doc("picas_recent").path("lock").asLong()).isEqualTo(now - 600);
        assertThat(http.doc("picas_recent").path("done").asLong()).isZero();
    }

    @Test
    void should_release_running_and_prefetched_tokens_on_shutdown_without_counting_an_attempt(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        for (int i = 0; i < 3; i++) {
            http.put("slow" + i, picasToken("s" + i));
        }
        Map<String, String> settings = settings(couch, db, "sleep 60");
        settings.put("couchwork.pool.concurrency", "1");
        settings.put("couchwork.pool.prefetch", "2");
        settings.put("couchwork.pool.shutdown-grace", "1s");
        RunningApp app = RunningApp.start(settings);
        try {
            await().atMost(WAIT).until(() -> http.overview("Monitor", "locked") == 3);
        } finally {
            app.close();
        }
        http.awaitOverview("Monitor", "todo", 3);
        for (int i = 0; i < 3; i++) {
            JsonNode token = http.doc("slow" + i);
            assertThat(token.path("lock").asLong()).isZero();
            assertThat(token.path("attempts").asInt()).isZero();
            assertThat(token.path("error")).isEmpty();
            assertThat(token.path("runs").get(0).path("outcome").asText()).startsWith("released");
        }
    }

    @Test
    void should_leave_malformed_tokens_alone_bound_huge_output_and_keep_working(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        String[] malformed = {
            "{\"type\":\"token\",\"lock\":\"0\",\"done\":0,\"input\":\"a\"}",
            "{\"type\":\"token\",\"lock\":0,\"input\":\"b\"}",
            "{\"type\":\"token\",\"lock\":null,\"done\":null}",
            "{\"type\":\"token\",\"lock\":-5,\"done\":3}"};
        Map<String, String> revs = new HashMap<>();
        for (int i = 0; i < malformed.length; i++) {
            revs.put("bad" + i, http.put("bad" + i, malformed[i]).path("rev").asText());
        }
        http.put("odd_fields", "{\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"o\",\"priority\":\"high\","
                + "\"error\":\"not a list\",\"runs\":7}");
        http.put("no_input", "{\"type\":\"token\",\"lock\":0,\"done\":0}");
        http.put("huge", picasToken("huge"));
        http.put("fine", picasToken("fine"));
        Map<String, String> settings = settings(couch, db,
                "if [ {input} = huge ]; then head -c 3000000 /dev/zero | tr '\\000' x; else echo {input}; fi");
        settings.put("couchwork.exec.max-log-bytes", "65536");
        try (RunningApp app = RunningApp.start(settings)) {
            await().atMost(WAIT).until(() -> http.overview("Monitor", "done") == 3
                    && http.overview("Monitor", "error") == 1);
        }
        revs.forEach((id, rev) -> assertThat(http.doc(id).path("_rev").asText()).as(id).isEqualTo(rev));
        assertThat(http.doc("odd_fields").path("stdout_tail").asText()).isEqualTo("o\n");
        JsonNode noInput = http.doc("no_input");
        assertThat(noInput.path("error").get(0).path("message").asText())
                .contains("the command needs token field 'input', which the token lacks");
        assertThat(noInput.path("attempts").asInt()).isEqualTo(1); // not retried: it cannot succeed
        JsonNode huge = http.doc("huge");
        assertThat(huge.path("_attachments").path("stdout.log").path("length").asLong())
                .isBetween(65536L, 65536L + 100);
        assertThat(huge.path("stdout_tail").asText()).hasSizeBetween(4096, 4096 + 100).endsWith("xxxx")
                .startsWith("[... ");
        assertThat(http.doc("fine").path("stdout_tail").asText()).isEqualTo("fine\n");
    }

    /** PiCaS's views, installed before the worker starts, so the test reads a fully built index from the start. */
    private static void installMonitorViews(TestCouch couch, String db) {
        new DesignDocuments(couch.database(db)).installFor(List.of("token"));
    }

    @Test
    void should_reapply_the_outcome_when_someone_else_changed_the_token_meanwhile(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("shared", picasToken("s"));
        Path started = temp.resolve("started");
        Path go = temp.resolve("go");
        // the job waits until the test has changed the token, so its outcome write meets a conflict
        String command = "touch '" + started + "'; while [ ! -f '" + go + "' ]; do sleep 0.05; done; echo finished";
        try (RunningApp app = RunningApp.start(settings(couch, db, command))) {
            await().atMost(WAIT).until(() -> Files.exists(started));
            ObjectNode token = (ObjectNode) http.doc("shared");
            token.put("note", "added by an operator while the job ran");
            assertThat(http.put("shared", token.toString()).path("ok").asBoolean()).isTrue();
            Files.createFile(go);
            await().atMost(WAIT).until(() -> http.doc("shared").path("done").asLong() > 0);
        }
        JsonNode shared = http.doc("shared");
        assertThat(shared.path("stdout_tail").asText()).isEqualTo("finished\n");
        assertThat(shared.path("exit_code").asInt(-9)).isZero();
        assertThat(shared.path("note").asText()).isEqualTo("added by an operator while the job ran");
        assertThat(shared.path("runs")).hasSize(1);
    }

    @Test
    void should_renew_the_lease_of_a_job_that_outlives_it(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("long", picasToken("l"));
        Map<String, String> settings = settings(couch, db, "sleep 7; echo survived");
        settings.put("couchwork.pool.lease-duration", "3s");
        List<Long> leases = new ArrayList<>();
        try (RunningApp app = RunningApp.start(settings)) {
            await().atMost(WAIT).until(() -> {
                JsonNode token = http.doc("long");
                if (token.path("done").asLong() == 0 && token.path("lease_until").asLong() > 0) {
                    leases.add(token.path("lease_until").asLong());
                }
                return token.path("done").asLong() > 0;
            });
        }
        JsonNode token = http.doc("long");
        assertThat(token.path("stdout_tail").asText()).isEqualTo("survived\n");
        assertThat(token.path("attempts").asInt()).isZero();
        assertThat(token.path("error")).isEmpty();
        assertThat(token.path("runs")).hasSize(1);
        assertThat(leases.stream().distinct().count()).as("lease renewed while the job ran").isGreaterThan(1);
    }

    @Test
    void should_stop_a_job_at_its_token_timeout(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("stuck", "{\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"x\",\"timeout\":1}");
        Map<String, String> settings = settings(couch, db, "sleep 60");
        settings.put("couchwork.pool.max-attempts", "1");
        try (RunningApp app = RunningApp.start(settings)) {
            await().atMost(WAIT).until(() -> http.doc("stuck").path("done").asLong() > 0);
        }
        JsonNode stuck = http.doc("stuck");
        assertThat(stuck.path("exit_code").asInt()).isEqualTo(124);
        assertThat(stuck.path("error").get(0).path("message").asText()).isEqualTo("timed out after 1s");
        assertThat(stuck.path("run_time").asLong()).isLessThan(30);
    }

    @Test
    void should_resolve_a_token_whose_winning_revision_hides_a_finished_one_and_never_run_it(TestCouch couch)
            throws IOException {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        installMonitorViews(couch, db);
        String first = http.put("split", picasToken("x")).path("rev").asText();
        // another replica finished it from the first revision; here it was edited twice meanwhile, so todo wins
        ObjectNode finished = (ObjectNode) Json.MAPPER.readTree(picasToken("x"));
        finished.put("_id", "split").put("lock", 1_700_000_000L).put("done", 1_700_000_100L).put("exit_code", 0)
                .put("hostname", "other-replica");
        io.couchwork.testing.ConflictFixtures fixtures = new io.couchwork.testing.ConflictFixtures(couch, db);
        fixtures.branch(first, finished, "replica", 1);
        ObjectNode todo = (ObjectNode) Json.MAPPER.readTree(picasToken("x"));
        fixtures.branch(first, todo.put("_id", "split"), "local", 2);
        assertThat(http.doc("split").path("done").asLong()).isZero(); // CouchDB shows the todo leaf
        Path ran = Files.createTempDirectory("couchwork-ran-").resolve("ran.log");
        try (RunningApp app = RunningApp.start(settings(couch, db, "echo {_id} >> '" + ran + "'"))) {
            await().atMost(WAIT).until(() -> http.get("/split?conflicts=true").path("_conflicts").isEmpty()
                    && http.doc("split").path("done").asLong() > 0);
        }
        assertThat(http.doc("split").path("hostname").asText()).isEqualTo("other-replica");
        assertThat(ran).doesNotExist(); // the job never ran on the todo leaf
    }

    static String picasToken(String input) {
        return "{\"type\":\"token\",\"lock\":0,\"done\":0,\"hostname\":\"\",\"scrub_count\":0,\"input\":\"" + input
                + "\",\"exit_code\":\"\",\"output\":\"\",\"error\":[]}";
    }

    static Map<String, String> settings(TestCouch couch, String db, String command) {
        return io.couchwork.testing.TestPools.workerSettings(couch, db, command);
    }
}
