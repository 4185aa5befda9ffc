package io.couchwork.reliability;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Four worker processes with eight parallel jobs each on the same 2,000 tokens: every token runs exactly once. */
@ExtendWith(CouchDbServerExtension.class)
class ContentionScenario {

    private static final int TOKENS = 2000;
    private static final int PROCESSES = 4;
    private static final int CONCURRENCY = 8;
    private static final Pattern STOPPED = Pattern.compile("claimed (\\d+) tokens, lost (\\d+) claim races");

    @TempDir
    Path temp;

    @Test
    void every_token_runs_exactly_once_under_contention(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        CouchDatabase database = TestPools.fill(couch, db, TOKENS);
        Path log = temp.resolve("executions.log");
        Path job = JobScripts.recordingJob(temp, Files.createDirectories(temp.resolve("running")), log, "0");
        Map<String, String> settings = JobScripts.workerSettings(couch, db, "sh '" + job + "' {_id}");
        settings.put("couchwork.pool.concurrency", Integer.toString(CONCURRENCY));
        settings.put("couchwork.pool.prefetch", Integer.toString(CONCURRENCY));

        PlainHttp http = new PlainHttp(couch, db);
        List<LaunchedApp> workers = new ArrayList<>();
        long t0 = System.nanoTime();
        long claims = 0;
        long lostRaces = 0;
        try {
            for (int p = 0; p < PROCESSES; p++) {
                workers.add(LaunchedApp.run(temp, settings));
            }
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> http.overview("Monitor", "done") == TOKENS);
        } finally {
            for (LaunchedApp worker : workers) {
                worker.stop();
                Matcher m = STOPPED.matcher(worker.output());
                if (m.find()) {
                    claims += Long.parseLong(m.group(1));
                    lostRaces += Long.parseLong(m.group(2));
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Executions executions = Executions.read(log);
        Map<String, Integer> perToken = new HashMap<>();
        executions.all().forEach(e -> perToken.merge(e.tokenId(), 1, Integer::sum));
        long twice = perToken.values().stream().filter(n -> n > 1).count();
        int runsRecorded = 0;
        for (JsonNode doc : database.allDocuments(1000)) {
            runsRecorded += doc.path("runs").size();
        }
        Checks checks = new Checks()
                .check("tokens executed", perToken.size() == TOKENS, perToken.size() + " of " + TOKENS)
                .check("tokens executed more than once", twice == 0, twice)
                .check("executions", executions.all().size() == TOKENS, executions.all().size())
                .check("overlapping executions", executions.overlaps().isEmpty(), executions.overlaps().size())
                .check("run records in the documents", runsRecorded == TOKENS, runsRecorded)
                .check("claims reported by the workers", claims == TOKENS, claims);
        ReliabilityReport.section(30, "Contention", String.format("""
                %d worker processes × %d parallel jobs on the same %d tokens (a job that only logs its start and end).

                %s
                Drained in %.1f s (%.0f tokens/s, JVM start-up included); wasted claims (claim writes that lost the race
                to another worker): %d, %.3f per token.
                """, PROCESSES, CONCURRENCY, TOKENS, checks.markdown(), seconds, TOKENS / seconds, lostRaces,
                (double) lostRaces / TOKENS));
        checks.assertAllPassed();
    }
}
