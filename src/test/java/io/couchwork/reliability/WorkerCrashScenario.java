package io.couchwork.reliability;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.LaunchedApp;
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
 * Worker processes SIGKILLed at random moments while they drain a pool: afterwards every token is done, none is left
 * locked, no token ran on two workers at once (each job checks for a live earlier execution of its token), and the
 * re-executions are exactly the interrupted executions.
 */
@ExtendWith(CouchDbServerExtension.class)
class WorkerCrashScenario {

    private static final int TOKENS = 1500;
    private static final int WORKERS = 3;
    private static final int KILLS = 50;
    

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run leaves the workers' logs behind
    Path temp;

    @Test
    void killed_workers_lose_nothing_and_never_overlap(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        CouchDatabase database = TestPools.fill(couch, db, TOKENS);
        Path runs = Files.createDirectories(temp.resolve("running"));
        Path log = temp.resolve("executions.log");
        Path job = JobScripts.recordingJob(temp, runs, log, "1");
        Map<String, String> settings = JobScripts.workerSettings(couch, db, "sh '" + job + "' {_id}");
        settings.put("couchwork.pool.lease-duration", "4s");
        // expired leases have a budget (a token that kills its workers must not do so forever); here the killing is
        // the test's, so let every token through however often its workers die
        settings.put("couchwork.pool.max-lease-expiries", "1000");

        PlainHttp http = new PlainHttp(couch, db);
        Random random = new Random(42);
        List<LaunchedApp> workers = new ArrayList<>();
        Map<String, Long> killedAt = new HashMap<>(); // worker pid -> when it was killed
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
                    if (!servingSince.containsKey(worker) && worker.output().contains(" serves token types ")) {
                        servingSince.put(worker, now);
                    }
                }
                // the worker that has been claiming longest, at a random moment 1 to 2 s into its work: mid-job
                LaunchedApp victim = workers.stream().filter(servingSince::containsKey)
                        .min(java.util.Comparator.comparing(servingSince::get)).orElse(null);
                if (victim == null || now - servingSince.get(victim) < 1000 + random.nextInt(1000)) {
                    continue;
                }
                workers.remove(victim);
                killedAt.put(Long.toString(victim.process().pid()), System.currentTimeMillis());
                victim.process().destroyForcibly(); // the JVM only: its jobs must die by themselves
                victim.process().waitFor();
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
            Checks checks = new Checks()
                    .check("worker processes SIGKILLed (≥ " + KILLS + ")", kills >= KILLS, kills)
                    .check("tokens done", done == TOKENS, done + " of " + TOKENS)
                    .check("tokens left locked", locked == 0, locked)
                    .check("executions overlapping a live earlier execution of the same token",
                            executions.overlaps().isEmpty(), executions.overlaps().size())
                    .check("re-executions = interrupted executions", reExecutions == interrupted,
                            reExecutions + " re-executions, " + interrupted + " interrupted")
                    .check("every token executed", executions.tokens().size() == TOKENS, executions.tokens().size());
            ReliabilityReport.section(10, "Worker crashes", String.format("""
                    %d worker processes (4 parallel jobs each, lease 4 s) drain %d tokens whose job takes 1 s; again
                    and again the worker that has been claiming longest is killed with SIGKILL 1–2 s into its work (the
                    JVM only: its jobs are left to die by themselves) and a new one started, %d times. Each job
                    checks, before it starts, that no earlier execution of its token is still alive, and logs its start
                    and end. (Expired leases are counted, apart from attempts, so that a token that kills its workers
                    ends in the error state; here `max-lease-expiries` is 1000, as the killing is the test's.)

                    %s
                    Kill phase %.0f s; the pool was drained %.0f s after the start: %d executions for %d tokens.
                    """, WORKERS, TOKENS, kills, checks.markdown(), killPhase / 1e9, seconds,
                    executions.all().size(), TOKENS));
            checks.assertAllPassed();
        } finally {
            for (LaunchedApp worker : workers) {
                worker.stop();
            }
        }
    }
}
