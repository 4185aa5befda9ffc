package io.couchwork.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.app.CouchworkHome;
import io.couchwork.app.CouchworkMain;
import io.couchwork.camel.ChangesHeaders;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.main.Main;

/** Document workflows: change → handler start latency (safe and run-once) and state transitions per second. */
final class FlowBench {

    record Result(Percentiles safeLatency, Percentiles runOnceLatency, double oneProcess, double threeProcesses) {}

    private final BenchDatabase databases;
    private final Path jar;

    FlowBench(BenchDatabase databases, Path jar) {
        this.databases = databases;
        this.jar = jar;
    }

    Result run(int samples, int documents) throws Exception {
        Percentiles safe = latency(samples, false);
        Percentiles runOnce = latency(samples, true);
        return new Result(safe, runOnce, transitions(documents, 1), transitions(documents, 3));
    }

    /** Idle app: time from a document's write to the start of its handler. */
    private Percentiles latency(int samples, boolean runOnce) throws Exception {
        CouchDatabase db = databases.create(runOnce ? "flow_once" : "flow_safe");
        Path home = home(runOnce, true);
        Map<String, Long> started = new ConcurrentHashMap<>();
        try {
            Main main = CouchworkMain.create(new CouchworkHome(home), home.resolve("config/application.properties"),
                    databases.properties(db.name()));
            main.bind("benchProbe", new Probe(started));
            main.start();
            Percentiles latency = new Percentiles();
            for (int i = 0; i < samples; i++) {
                ObjectNode doc = doc();
                long written = System.nanoTime();
                db.put(doc);
                String id = doc.path("_id").asText();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!started.containsKey(id) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                if (started.containsKey(id)) {
                    latency.add((started.get(id) - written) / 1e6);
                }
                Thread.sleep(50); // let the handler finish before the next sample
            }
            main.stop();
            return latency;
        } finally {
            databases.drop(db);
            BenchHome.delete(home);
        }
    }

    /** {@code processes} app processes moving {@code documents} documents new → done with a run-once handler. */
    private double transitions(int documents, int processes) throws Exception {
        CouchDatabase db = databases.create("flow_rate");
        Path home = home(true, false);
        List<Process> workers = new ArrayList<>();
        try {
            List<ObjectNode> docs = new ArrayList<>();
            for (int i = 0; i < documents; i++) {
                docs.add(doc());
            }
            long t0 = System.nanoTime();
            for (int p = 0; p < processes; p++) {
                workers.add(PoolBench.startWorker(home, jar, databases.properties(db.name()),
                        home.resolve("worker-" + p + ".log")));
            }
            for (int start = 0; start < documents; start += 500) {
                db.bulkWrite(docs.subList(start, Math.min(documents, start + 500)));
            }
            while (countDone(db) < documents) {
                Thread.sleep(200);
            }
            return documents / RawServerBench.seconds(t0);
        } finally {
            workers.forEach(Process::destroyForcibly);
            databases.drop(db);
            BenchHome.delete(home);
        }
    }

    private static long countDone(CouchDatabase db) {
        long done = 0;
        for (var doc : db.allDocuments(1000)) {
            if ("done".equals(doc.path("state").asText())) {
                done++;
            }
        }
        return done;
    }

    private static ObjectNode doc() {
        ObjectNode doc = Json.object();
        doc.put("_id", "flow_" + UUID.randomUUID());
        doc.put("type", "benchdoc");
        doc.put("state", "new");
        return doc;
    }

    /** Records when each document's handler starts. */
    public static final class Probe {
        private final Map<String, Long> started;

        Probe(Map<String, Long> started) {
            this.started = started;
        }

        public void started(Exchange exchange) {
            started.putIfAbsent(exchange.getMessage().getHeader(ChangesHeaders.DOC_ID, String.class), System.nanoTime());
        }
    }

    private static Path home(boolean runOnce, boolean probe) throws IOException {
        String claim = runOnce ? """
                        - to:
                            uri: "bean:stateHandlers?method=claim"
                """ : "";
        String probeStep = probe ? BenchHome.PROBE_STEP : "";
        return BenchHome.create("flowbench", """
                - route:
                    id: benchFlow
                    from:
                      uri: "changes:benchFlow"
                      parameters:
                        types: benchdoc
                        states: new
                        concurrency: 4
                      steps:
                %s%s        - setHeader:
                            name: CouchworkNextState
                            constant: done
                        - to:
                            uri: "bean:stateHandlers?method=advance"
                """.formatted(claim, probeStep));
    }
}
