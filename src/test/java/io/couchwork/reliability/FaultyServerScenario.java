package io.couchwork.reliability;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.FaultInjectingProxy;
import io.couchwork.testing.FaultInjectingProxy.Fault;
import io.couchwork.testing.FaultInjectingProxy.Faults;
import io.couchwork.testing.FaultInjectingProxy.ServiceTime;
import io.couchwork.testing.LaunchedApp;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow and failing server: a proxy between Couchwork and the server gives every request the service time of Apache
 * CouchDB 3 (the bundled PouchDB Server answers from memory, much faster) and injects latency spikes, 500s (before and
 * after the server applied the request), 429 with Retry-After and connections dropped mid-response. Couchwork backs
 * off and carries on; every token and every flow document is handled exactly once, and no server fault ends up in a
 * token's error list. -Dreliability.service-time=none|couchdb3|couchdb3-cluster, -Dreliability.fault-scale=N.
 */
@ExtendWith(CouchDbServerExtension.class)
class FaultyServerScenario {

    private static final int TOKENS = 600;
    private static final int DOCS = 150;
    /** Fault rates may be scaled for a harsher run: -Dreliability.fault-scale=2 doubles each. */
    private static final double SCALE = Double.parseDouble(System.getProperty("reliability.fault-scale", "1"));
    private static final Faults FAULTS = new Faults(0.05 * SCALE, 0.03 * SCALE, 0.03 * SCALE, 0.04 * SCALE,
            0.03 * SCALE, 7);
    /** The server's own service time the proxy adds: -Dreliability.service-time=none|couchdb3|couchdb3-cluster. */
    private static final String SERVICE_TIME = System.getProperty("reliability.service-time", "couchdb3");

    private static final Path LOGS = Path.of("target/reliability");

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
        long alive = 0;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url(), FAULTS)
                .withServiceTime(ServiceTime.named(SERVICE_TIME))) {
            Map<String, String> settings = JobScripts.workerSettings(couch, db, "echo {_id} >> '" + tokenLog + "'");
            settings.put("couchwork.couchdb.url", proxy.url());
            settings.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
            settings.put("couchwork.pool.lease-duration", "1m");
            settings.put("couchwork.couchdb.read-timeout", "10s");
            // besides the random faults, two that take two faults in a row to matter, forced so that every run meets
            // them: a worker's first read of the views at start loses its answer; the claim of token_0 goes through
            // but its answer is lost, and so is the answer of the read that looks for it
            proxy.failNext("/_all_docs", "_design/Monitor", Fault.DROP);
            proxy.failNext("/_bulk_docs", "\"_id\":\"token_0\"", Fault.DROP);
            proxy.failNext("/_all_docs", "\"token_0\"", Fault.DROP);
            try {
                apps.add(LaunchedApp.run(temp, settings));
                apps.add(LaunchedApp.run(temp, settings));
                await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> http.overview("Monitor", "done") == TOKENS
                                && JobScripts.flowDocsDone(http) == DOCS);
            } finally {
                alive = apps.stream().filter(app -> app.process().isAlive()).count();
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
            List<String> errorSamples = new ArrayList<>();
            for (JsonNode row : http.get("/_all_docs?include_docs=true").path("rows")) {
                for (JsonNode error : row.path("doc").path("error")) {
                    errorsRecorded++;
                    if (errorSamples.size() < 5) {
                        errorSamples.add(row.path("id").asText() + ": " + error.path("exception").asText() + " "
                                + error.path("message").asText());
                    }
                }
            }
            String log = apps.get(0).output() + apps.get(1).output();
            Files.createDirectories(LOGS);
            for (int i = 0; i < apps.size(); i++) {
                Files.writeString(LOGS.resolve("faulty-server-app-" + (i + 1) + ".log"), apps.get(i).output());
            }
            Checks checks = new Checks()
                    .check("tokens done", tokenRuns.size() == TOKENS, tokenRuns.size() + " of " + TOKENS)
                    .check("tokens executed more than once", tokensTwice == 0, tokensTwice)
                    .check("flow documents advanced to done", sideEffects.size() == DOCS, sideEffects.size() + " of " + DOCS)
                    .check("run-once side effects performed twice", effectsTwice == 0, effectsTwice)
                    .check("server faults recorded as token errors", errorsRecorded == 0,
                            errorsRecorded + (errorSamples.isEmpty() ? "" : " (" + String.join("; ", errorSamples)
                                    + ")"))
                    .check("apps still running until stopped (no crash)", alive == 2
                            && !log.contains("Exception in thread \"main\""), alive + " of 2 running");
            StringBuilder injected = new StringBuilder("| fault | injected |\n|---|---|\n");
            for (Fault fault : Fault.values()) {
                injected.append("| ").append(fault.name().toLowerCase().replace('_', ' ')).append(" | ")
                        .append(proxy.injected(fault)).append(" |\n");
            }
            ReliabilityReport.section(40, "Slow and failing server", String.format("""
                    2 app processes (a token worker with 4 parallel jobs and a run-once `changes:` flow each) work
                    through a proxy that gives every request the service time of %s, and, per request, adds
                    0.2–1.5 s of latency (%.0f %%), answers 500 without forwarding (%.0f %%) or after the server
                    applied the request (%.0f %%), answers 429 with `Retry-After: 1` (%.0f %%), or drops the connection
                    halfway through the answer (%.0f %%): %d tokens and %d flow documents, %d requests in all. Forced
                    besides: the answer to a worker's first read of its views at start is dropped, and so are the
                    answer to the claim of `token_0` and the answer to the read that looks for that claim.

                    %s
                    %s
                    Everything done after %.0f s.
                    """, serviceTimeDescription(), FAULTS.latency() * 100, FAULTS.errorBefore() * 100,
                    FAULTS.errorAfter() * 100, FAULTS.tooManyRequests() * 100, FAULTS.drop() * 100, TOKENS, DOCS,
                    proxy.requests().size(), injected, checks.markdown(), seconds));
            checks.assertAllPassed();
        }
    }

    private static String serviceTimeDescription() {
        return switch (SERVICE_TIME) {
            case "couchdb3" -> "Apache CouchDB 3 on one node (5 ms a write, 12 ms a `_bulk_docs`, 11 ms a view read,"
                    + " 4 ms a read or `_changes`)";
            case "couchdb3-cluster" -> "a 3-node Apache CouchDB 3 cluster (20 ms a write, 60 ms a `_bulk_docs`,"
                    + " 38 ms a `_changes` read)";
            default -> "the test server itself (no service time added)";
        };
    }
}
