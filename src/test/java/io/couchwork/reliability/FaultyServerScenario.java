package io.couchwork.reliability;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.FaultInjectingProxy;
import io.couchwork.testing.FaultInjectingProxy.Fault;
import io.couchwork.testing.FaultInjectingProxy.Faults;
import io.couchwork.testing.LaunchedApp;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow and failing server: a proxy between Couchwork and the server injects latency spikes, 500s (before and after
 * the server applied the request), 429 with Retry-After and connections dropped mid-response. Couchwork backs off and
 * carries on; every token and every flow document is handled exactly once.
 */
@ExtendWith(CouchDbServerExtension.class)
class FaultyServerScenario {

    private static final int TOKENS = 600;
    private static final int DOCS = 150;
    private static final Faults FAULTS = new Faults(0.05, 0.03, 0.03, 0.04, 0.03, 7);

    @TempDir
    Path temp;

    @Test
    void couchwork_backs_off_and_loses_nothing_behind_a_faulty_server(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.bulk(JobScripts.tokensAndJobs(0, TOKENS, 0, DOCS));
        Path tokenLog = temp.resolve("tokens.log");
        Path flowLog = temp.resolve("flow.log");
        Path routes = JobScripts.routesWithFlow(temp, flowLog);

        long t0 = System.nanoTime();
        List<LaunchedApp> apps = new ArrayList<>();
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url(), FAULTS)) {
            Map<String, String> settings = JobScripts.workerSettings(couch, db, "echo {_id} >> '" + tokenLog + "'");
            settings.put("couchwork.couchdb.url", proxy.url());
            settings.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
            settings.put("couchwork.pool.lease-duration", "1m");
            settings.put("couchwork.couchdb.read-timeout", "10s");
            try {
                apps.add(LaunchedApp.run(temp, settings));
                apps.add(LaunchedApp.run(temp, settings));
                await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> http.overview("Monitor", "done") == TOKENS
                                && JobScripts.flowDocsDone(http) == DOCS);
            } finally {
                for (LaunchedApp app : apps) {
                    app.stop();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Integer> tokenRuns = JobScripts.counts(tokenLog);
            Map<String, Integer> sideEffects = JobScripts.counts(flowLog);
            long tokensTwice = tokenRuns.values().stream().filter(n -> n > 1).count();
            long effectsTwice = sideEffects.values().stream().filter(n -> n > 1).count();
            long errorsRecorded = 0;
            for (JsonNode row : http.get("/_all_docs?include_docs=true").path("rows")) {
                errorsRecorded += row.path("doc").path("error").size();
            }
            String log = apps.get(0).output() + apps.get(1).output();
            Checks checks = new Checks()
                    .check("tokens done", tokenRuns.size() == TOKENS, tokenRuns.size() + " of " + TOKENS)
                    .check("tokens executed more than once", tokensTwice == 0, tokensTwice)
                    .check("flow documents advanced to done", sideEffects.size() == DOCS, sideEffects.size() + " of " + DOCS)
                    .check("run-once side effects performed twice", effectsTwice == 0, effectsTwice)
                    .check("server faults recorded as token errors", errorsRecorded == 0, errorsRecorded)
                    .check("apps still running until stopped (no crash)", !log.contains("Exception in thread \"main\""),
                            "no crash");
            StringBuilder injected = new StringBuilder("| fault | injected |\n|---|---|\n");
            for (Fault fault : Fault.values()) {
                injected.append("| ").append(fault.name().toLowerCase().replace('_', ' ')).append(" | ")
                        .append(proxy.injected(fault)).append(" |\n");
            }
            ReliabilityReport.section(40, "Slow and failing server", String.format("""
                    2 app processes (a token worker with 4 parallel jobs and a run-once `changes:` flow each) work
                    through a proxy that, per request, adds 0.2–1.5 s of latency (5 %%), answers 500 without
                    forwarding (3 %%) or after the server applied the request (3 %%), answers 429 with `Retry-After: 1`
                    (4 %%), or drops the connection halfway through the answer (3 %%): %d tokens and %d flow
                    documents, %d requests in all.

                    %s
                    %s
                    Everything done after %.0f s.
                    """, TOKENS, DOCS, proxy.requests().size(), injected, checks.markdown(), seconds));
            checks.assertAllPassed();
        }
    }
}
