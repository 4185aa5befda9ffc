package io.couchwork.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.LaunchedApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestPools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example pilot scripts in examples/pilots, run with /bin/sh (dash on Debian: no bashisms) as a scheduler would,
 * its variables set, against the packaged launcher and the test server; and a worker stopped by SIGTERM.
 */
@ExtendWith(CouchDbServerExtension.class)
class PilotScriptsIT {

    private static final Path DIST = Path.of(System.getProperty("couchwork.dist", "target/dist-missing"));
    private static final Path PILOTS = Path.of("examples/pilots");

    @TempDir
    Path workingDirectory;

    /** Runs a pilot script with the pool's and the scheduler's variables; returns its exit code, its output in a file. */
    private int runScript(String script, TestCouch couch, String database, Map<String, String> schedulerEnv)
            throws IOException, InterruptedException {
        Path log = workingDirectory.resolve(script + ".log");
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", PILOTS.resolve(script).toAbsolutePath().toString(),
                "-D", "couchwork.report.interval=1h")
                .directory(workingDirectory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("COUCHDB_") || k.startsWith("SLURM_") || k.startsWith("PBS_")
                || k.equals("DIRACJOBID"));
        env.put("COUCHWORK", DIST.resolve("bin/couchwork").toAbsolutePath().toString());
        env.put("COUCHDB_URL", couch.url());
        env.put("COUCHDB_DATABASE", database);
        if (!couch.user().isEmpty()) {
            env.put("COUCHDB_USER", couch.user());
            env.put("COUCHDB_PASSWORD", couch.password());
        }
        env.putAll(schedulerEnv);
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("pilot exits").isTrue();
        lastOutput = Files.readString(log);
        return process.exitValue();
    }

    private String lastOutput = "";

    private static List<JsonNode> tokens(CouchDatabase db) {
        return db.allDocuments(1000).stream().filter(d -> "token".equals(d.path("type").asText())).toList();
    }

    @Test
    void the_slurm_array_pilot_drains_the_pool_and_marks_each_token_with_its_array_job_and_task(TestCouch couch)
            throws Exception {
        String database = couch.createDatabase();
        CouchDatabase db = TestPools.fill(couch, database, 6);
        long endTime = Instant.now().plus(Duration.ofHours(2)).getEpochSecond();

        int exitCode = runScript("slurm-array-pilot.sh", couch, database, Map.of("SLURM_ARRAY_JOB_ID", "4242",
                "SLURM_ARRAY_TASK_ID", "7", "SLURM_JOB_ID", "4249", "SLURM_JOB_END_TIME", Long.toString(endTime),
                "SLURM_CPUS_PER_TASK", "2"));

        assertThat(exitCode).as(lastOutput).isZero();
        assertThat(lastOutput).contains("pilot 4242_7: pool drained");
        assertThat(tokens(db)).hasSize(6).allSatisfy(token -> {
            assertThat(token.path("done").asLong()).isPositive();
            assertThat(token.path("slurm_job_id").asText()).isEqualTo("4242_7");
        });
    }

    @Test
    void the_grid_pilot_runs_its_maximum_of_tokens_and_marks_them_with_the_dirac_job_id(TestCouch couch)
            throws Exception {
        String database = couch.createDatabase();
        CouchDatabase db = TestPools.fill(couch, database, 5);

        int exitCode = runScript("grid-pilot.sh", couch, database, Map.of("DIRACJOBID", "40123", "MAX_TOKENS", "2",
                "MAX_TIME", "2h"));

        assertThat(exitCode).as(lastOutput).isZero();
        assertThat(lastOutput).contains("pilot: pool drained or its tokens done");
        List<JsonNode> done = tokens(db).stream().filter(t -> t.path("done").asLong() > 0).toList();
        assertThat(done).hasSize(2).allSatisfy(token ->
                assertThat(token.path("dirac_job_id").asText()).isEqualTo("40123"));
        assertThat(tokens(db).stream().filter(t -> t.path("lock").asLong() == 0)).hasSize(3);
    }

    @Test
    void a_pilot_whose_walltime_leaves_no_room_for_the_tokens_exits_75_and_leaves_them_untouched(TestCouch couch)
            throws Exception {
        String database = couch.createDatabase();
        CouchDatabase db = TestPools.fill(couch, database, 3);

        // a minute of walltime, less the two-minute margin, fits no token of the default one-hour timeout
        int exitCode = runScript("grid-pilot.sh", couch, database, Map.of("PBS_WALLTIME", "60",
                "PBS_JOBID", "881.pbs"));

        assertThat(exitCode).as(lastOutput).isEqualTo(75);
        assertThat(lastOutput).contains("pilot: time limit reached with work left");
        assertThat(tokens(db)).hasSize(3).allSatisfy(token -> {
            assertThat(token.path("lock").asLong()).isZero();
            assertThat(token.has("pbs_job_id")).isFalse();
        });
    }

    @Test
    void sigterm_from_the_scheduler_releases_running_jobs_tokens_without_counting_an_attempt(TestCouch couch)
            throws Exception {
        String database = couch.createDatabase();
        CouchDatabase db = TestPools.fill(couch, database, 2);
        Map<String, String> settings = new HashMap<>(TestPools.workerSettings(couch, database, "sleep 300"));
        settings.put("couchwork.pool.prefetch", "0");
        settings.put("couchwork.pool.shutdown-grace", "1s");
        LaunchedApp app = LaunchedApp.run(workingDirectory, settings);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> tokens(db).stream().allMatch(t -> t.path("lock").asLong() > 0));
        Map<String, Integer> attemptsBefore = new HashMap<>();
        tokens(db).forEach(t -> attemptsBefore.put(t.path("_id").asText(), t.path("attempts").asInt()));

        app.stop(); // SIGTERM

        assertThat(app.output()).contains("stopping them and releasing their tokens");
        assertThat(tokens(db)).hasSize(2).allSatisfy(token -> {
            assertThat(token.path("lock").asLong()).isZero();
            assertThat(token.path("attempts").asInt()).isEqualTo(attemptsBefore.get(token.path("_id").asText()));
            JsonNode runs = token.path("runs");
            assertThat(runs.get(runs.size() - 1).path("outcome").asText()).startsWith("released");
        });
    }
}
