package io.couchwork.reliability;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.LaunchedApp;
import io.couchwork.testing.LiveProcesses;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestPools;
import io.couchwork.token.Token;
import io.couchwork.token.TokenState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Worker processes SIGKILLed (the JVM alone) at random moments while they drain a pool of jobs that take longer than a
 * lease: every process of the killed worker's jobs is gone within 2 s, every token is done, none is left locked, no
 * token ran on two workers at once by the jobs' own records (start and end times, and a check for a live earlier
 * execution as each job starts), and the re-executions are exactly the interrupted executions. A job that survived
 * its worker would run on past its lease, into the token's re-run: the scenario would see it.
 */
@ExtendWith(CouchDbServerExtension.class)
class WorkerCrashScenario {

    private static final int TOKENS = 400;
    private static final int WORKERS = 3;
    private static final int KILLS = 50;
    private static final int JOB_SECONDS = 5;
    private static final int LEASE_SECONDS = 3;
    private static final long DEATH_BOUND_MILLIS = 2000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run leaves the workers' logs behind
    Path temp;

    @Test
    void killed_workers_lose_nothing_and_never_overlap(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        CouchDatabase database = TestPools.fill(couch, db, TOKENS);
        Path runs = Files.createDirectories(temp.resolve("running"));
        Path log = temp.resolve("executions.log");
        Path job = JobScripts.recordingJob(temp, runs, log, Integer.toString(JOB_SECONDS));
        Map<String, String> settings = JobScripts.workerSettings(couch, db, "sh '" + job + "' {_id}");
        settings.put("couchwork.pool.lease-duration", LEASE_SECONDS + "s");
        // expired leases have a budget (a token that kills its workers must not do so forever); here the killing is
        // the test's, so let every token through however often its workers die
        settings.put("couchwork.pool.max-lease-expiries", "1000");

        PlainHttp http = new PlainHttp(couch, db);
        Random random = new Random(42);
        List<LaunchedApp> workers = new ArrayList<>();
        List<Long> deathMillis = new ArrayList<>(); // per kill: until the last of its jobs' processes was gone
        int jobsKilled = 0;
        int survivors = 0;
        long t0 = System.nanoTime();
        try {
            for (int w = 0; w < WORKERS; w++) {
                workers.add(LaunchedApp.run(temp, settings));
            }
            Map<LaunchedApp, Long> servingSince = new HashMap<>();
            int kills = 0;
            while (kills < KILLS) {
                Thread.sleep(200);
                long now = System.currentTimeMillis();
                for (LaunchedApp worker : workers) {
                    if (!worker.process().isAlive()) {
                        throw new AssertionError("a worker ended by itself:\n" + worker.output());
                    }
                    if (!servingSince.containsKey(worker) && worker.output().contains(" serves token types ")) {
                        servingSince.put(worker, now);
                    }
                }
                // the worker that has been claiming longest, at a random moment 1 to 3 s into its work: mid-job
                LaunchedApp victim = workers.stream().filter(servingSince::containsKey)
                        .min(java.util.Comparator.comparing(servingSince::get)).orElse(null);
                if (victim == null || now - servingSince.get(victim) < 1000 + random.nextInt(2000)) {
                    continue;
                }
                workers.remove(victim);
                java.util.regex.Matcher id = java.util.regex.Pattern.compile("Worker (\\S+) serves token types")
                        .matcher(victim.output());
                String workerId = id.find() ? id.group(1) : "?";
                victim.process().destroyForcibly(); // the JVM only: its jobs must die by themselves
                long killed = System.nanoTime();
                victim.process().waitFor();
                List<Long> jobProcesses = Executions.read(log).processesOf(workerId);
                while (jobProcesses.stream().anyMatch(LiveProcesses::isRunning)
                        && System.nanoTime() - killed < 3 * DEATH_BOUND_MILLIS * 1_000_000) {
                    Thread.sleep(10);
                }
                deathMillis.add((System.nanoTime() - killed) / 1_000_000);
                jobsKilled += jobProcesses.size() / 2;
                survivors += (int) jobProcesses.stream().filter(LiveProcesses::isRunning).count();
                kills++;
                workers.add(LaunchedApp.run(temp, settings));
            }
            long killPhase = System.nanoTime() - t0;
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> http.overview("Monitor", "done") + http.overview("Monitor", "error") == TOKENS);
            double seconds = (System.nanoTime() - t0) / 1e9;

            Executions executions = Executions.read(log);
            Map<String, Set<String>> doneClaims = new HashMap<>();
            int done = 0;
            int locked = 0;
            for (JsonNode doc : database.allDocuments(1000)) {
                if (!doc.path("type").asText().equals("token")) {
                    continue;
                }
                TokenState state = new Token((ObjectNode) doc).state();
                done += state == TokenState.DONE ? 1 : 0;
                locked += state == TokenState.LOCKED ? 1 : 0;
                Set<String> claims = new HashSet<>();
                for (JsonNode run : doc.path("runs")) {
                    if ("done".equals(run.path("outcome").asText())) {
                        claims.add(run.path("claim_id").asText());
                    }
                }
                doneClaims.put(doc.path("_id").asText(), claims);
            }
            int interrupted = 0;
            for (Executions.Execution e : executions.all()) {
                if (!doneClaims.getOrDefault(e.tokenId(), Set.of()).contains(e.claimId())) {
                    interrupted++;
                }
            }
            int reExecutions = executions.all().size() - executions.tokens().size();
            long slowestDeath = deathMillis.stream().mapToLong(Long::longValue).max().orElse(0);
            List<String> overlapsInTime = executions.overlapsInTime();
            Checks checks = new Checks()
                    .check("worker processes SIGKILLed (≥ " + KILLS + ")", kills >= KILLS, kills)
                    .check("jobs running in the killed workers (processes recorded)", jobsKilled > 0, jobsKilled)
                    .check("job processes alive " + DEATH_BOUND_MILLIS + " ms after their worker was killed",
                            survivors == 0 && slowestDeath <= DEATH_BOUND_MILLIS,
                            survivors + " still alive; slowest death " + slowestDeath + " ms after a kill")
                    .check("jobs that ran longer than the lease (renewed, not overlapped)",
                            executions.longerThan(LEASE_SECONDS * 1000L) > 0, executions.longerThan(LEASE_SECONDS * 1000L))
                    .check("tokens done", done == TOKENS, done + " of " + TOKENS)
                    .check("tokens left locked", locked == 0, locked)
                    .check("executions overlapping in time by the jobs' own records", overlapsInTime.isEmpty(),
                            overlapsInTime.isEmpty() ? "0" : overlapsInTime.size() + ", e.g. " + overlapsInTime.get(0))
                    .check("executions that found a live earlier execution of the same token",
                            executions.overlaps().isEmpty(), executions.overlaps().size())
                    .check("re-executions = interrupted executions", reExecutions == interrupted,
                            reExecutions + " re-executions, " + interrupted + " interrupted")
                    .check("every token executed", executions.tokens().size() == TOKENS, executions.tokens().size());
            ReliabilityReport.section(10, "Worker crashes", String.format("""
                    %d worker processes (4 parallel jobs each, lease %d s, renewed every second) drain %d tokens whose
                    job takes %d s, longer than the lease; again and again the worker that has been claiming longest is
                    killed with SIGKILL 1–3 s into its work (the JVM only: its jobs are left to its job shell) and a new
                    one started, %d times. Each job records its processes (its shell and the child it waits for), logs
                    its start and end, and checks as it starts that no earlier execution of its token is still alive. A
                    job that survived its worker would log an end after its token's re-run started. Job processes of
                    a killed worker: median %d ms, slowest %d ms until the last was gone. (Expired leases are counted
                    apart from attempts, so that a token that kills its workers ends in the error state; here
                    `max-lease-expiries` is 1000, as the killing is the test's.)

                    %s
                    Kill phase %.0f s; the pool was drained %.0f s after the start: %d executions for %d tokens.
                    """, WORKERS, LEASE_SECONDS, TOKENS, JOB_SECONDS, kills, median(deathMillis), slowestDeath,
                    checks.markdown(), killPhase / 1e9, seconds, executions.all().size(), TOKENS));
            checks.assertAllPassed();
        } finally {
            for (LaunchedApp worker : workers) {
                worker.stop();
            }
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }
}
