package io.couchwork.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.LaunchedApp;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestPools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Worker processes of the packaged app sharing one pool: no coordination but CouchDB, each token run once. */
@ExtendWith(CouchDbServerExtension.class)
class WorkerProcessesIT {

    @TempDir
    Path temp;

    @Test
    void should_run_each_of_1000_tokens_exactly_once_with_three_worker_processes(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        CouchDatabase database = TestPools.fill(couch, db, 1000);
        Path executions = temp.resolve("executions.txt");
        Map<String, String> settings = settings(couch, db, "echo {_id} >> '" + executions + "'");

        List<LaunchedApp> workers = new ArrayList<>();
        PlainHttp http = new PlainHttp(couch, db);
        try {
            for (int w = 0; w < 3; w++) {
                workers.add(LaunchedApp.run(temp, settings));
            }
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> http.overview("Monitor", "done") == 1000);
        } finally {
            for (LaunchedApp worker : workers) {
                worker.stop();
            }
        }
        List<String> lines = Files.readAllLines(executions);
        Set<String> distinct = new HashSet<>(lines);
        assertThat(distinct).hasSize(1000);
        assertThat(lines).as("executions (a duplicate is a token run twice)").hasSize(1000);
        Set<String> workerIds = new HashSet<>();
        for (JsonNode doc : database.allDocuments(500)) {
            assertThat(doc.path("runs")).as(doc.path("_id").asText()).hasSize(1);
            workerIds.add(doc.path("worker_id").asText());
        }
        assertThat(workerIds).as("all three workers took part").hasSize(3);
    }

    @Test
    void should_rerun_the_token_of_a_worker_killed_mid_job_after_its_lease(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        for (int i = 0; i < 10; i++) {
            http.put("plain" + i, TokenPoolIT.picasToken("p" + i));
        }
        http.put("victim", TokenPoolIT.picasToken("victim"));
        Path executions = temp.resolve("executions.txt");
        Path hung = temp.resolve("hung.pid");
        // the victim hangs on its first run, until the worker running it is killed (its lease then expires)
        Map<String, String> settings = settings(couch, db, "echo {_id} >> '" + executions + "'; "
                + "if [ {input} = victim ] && [ -z \"$TOKEN_LEASE_EXPIRIES\" ]; then sleep 300 & echo $! > '" + hung
                + "'; wait; fi; echo ran-{input}");
        settings.put("couchwork.pool.lease-duration", "3s");

        LaunchedApp doomed = LaunchedApp.run(temp, settings);
        await().atMost(Duration.ofSeconds(60)).until(() -> http.doc("victim").path("lock").asLong() > 0
                && Files.exists(executions) && Files.readAllLines(executions).contains("victim"));
        String doomedWorker = http.doc("victim").path("worker_id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(hung) && !Files.readString(hung).isBlank());
        long hungPid = Long.parseLong(Files.readString(hung).strip());
        assertThat(ProcessHandle.of(hungPid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        doomed.kill();
        // the dead worker's job must not run on next to the token's re-run
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(hungPid).map(p -> !p.isAlive()).orElse(true));

        LaunchedApp survivor = LaunchedApp.run(temp, settings);
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> http.overview("Monitor", "done") == 11);
        } finally {
            survivor.stop();
        }
        JsonNode victim = http.doc("victim");
        assertThat(victim.path("stdout_tail").asText()).isEqualTo("ran-victim\n");
        assertThat(victim.path("attempts").asInt()).as("a dead worker is not the job's failure").isZero();
        assertThat(victim.path("error")).isEmpty();
        assertThat(victim.path("lease_expiries").asInt()).isEqualTo(1);
        assertThat(victim.path("runs").findValuesAsText("outcome")).containsExactly("lease expired", "done");
        assertThat(victim.path("runs").get(0).path("worker_id").asText()).isEqualTo(doomedWorker);
        List<String> lines = Files.readAllLines(executions);
        assertThat(lines.stream().filter("victim"::equals)).hasSize(2);
        assertThat(new HashSet<>(lines)).hasSize(11);
    }

    private static Map<String, String> settings(TestCouch couch, String db, String command) {
        Map<String, String> settings = TokenPoolIT.settings(couch, db, command);
        settings.put("couchwork.pool.concurrency", "4");
        settings.put("couchwork.pool.prefetch", "4");
        return settings;
    }

}
