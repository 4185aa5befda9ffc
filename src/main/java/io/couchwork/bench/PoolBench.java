package io.couchwork.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.app.CouchworkHome;
import io.couchwork.app.CouchworkMain;
import io.couchwork.camel.CouchworkHeaders;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.token.DesignDocuments;
import io.couchwork.token.NewTokens;
import io.couchwork.couchdb.ViewQuery;
import io.couchwork.token.TokenViews;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.main.Main;

/** Couchwork draining a pool with a trivial job: in this JVM at several concurrencies, or as several worker processes. */
final class PoolBench {

    record Result(double tokensPerSecond, long conflicts, long claims, long rssKb) {}

    private static final Pattern STOPPED = Pattern.compile("claimed (\\d+) tokens, lost (\\d+) claim races");

    /** Tokens claimed ahead of the execution slots: trivial jobs finish in microseconds, so claim in big batches. */
    static final int PREFETCH = 128;

    /** Worker processes share the pool: each claims no more ahead than four times its slots, as one would set it. */
    static final int PROCESS_PREFETCH_FACTOR = 4;

    private final BenchDatabase databases;
    private final Path jar;

    PoolBench(BenchDatabase databases, Path jar) {
        this.databases = databases;
        this.jar = jar;
    }

    /** One worker in this JVM with {@code concurrency} parallel trivial jobs. */
    Result inProcess(int tokens, int concurrency) throws Exception {
        CouchDatabase db = databases.create("pool");
        Path home = home(concurrency, Math.max(PREFETCH, concurrency * 4), false);
        try {
            BenchDatabase.fill(db, tokens);
            buildViews(db);
            Main main = CouchworkMain.create(new CouchworkHome(home), home.resolve("config/application.properties"),
                    databases.properties(db.name()));
            DoneWatch watch = new DoneWatch(db);
            long t0 = System.nanoTime();
            main.start();
            watch.awaitFinished(tokens);
            double seconds = RawServerBench.seconds(t0);
            main.stop();
            return new Result(tokens / seconds, -1, -1, rssKb(ProcessHandle.current().pid()));
        } finally {
            databases.drop(db);
            BenchHome.delete(home);
        }
    }

    /** {@code processes} worker JVMs, each with {@code concurrency} parallel trivial jobs, on one pool. */
    Result processes(int tokens, int processes, int concurrency) throws Exception {
        CouchDatabase db = databases.create("procs");
        Path home = home(concurrency, PROCESS_PREFETCH_FACTOR * concurrency, false);
        List<Process> workers = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            BenchDatabase.fill(db, tokens);
            buildViews(db);
            DoneWatch watch = new DoneWatch(db);
            for (int p = 0; p < processes; p++) {
                Path log = home.resolve("worker-" + p + ".log");
                logs.add(log);
                workers.add(startWorker(home, jar, databases.properties(db.name()), log));
            }
            long t0 = awaitFirstWorkerClaiming(logs); // JVM start-up is not what is measured
            watch.awaitFinished(tokens);
            double seconds = RawServerBench.seconds(t0);
            long rss = 0;
            for (Process worker : workers) {
                rss = Math.max(rss, rssKb(worker.pid()));
            }
            long claims = 0;
            long conflicts = 0;
            for (int p = 0; p < workers.size(); p++) {
                workers.get(p).destroy();
                workers.get(p).waitFor(60, TimeUnit.SECONDS);
                Matcher m = STOPPED.matcher(Files.readString(logs.get(p)));
                if (m.find()) {
                    claims += Long.parseLong(m.group(1));
                    conflicts += Long.parseLong(m.group(2));
                }
            }
            return new Result(tokens / seconds, conflicts, claims, rss);
        } finally {
            workers.forEach(Process::destroyForcibly);
            databases.drop(db);
            BenchHome.delete(home);
        }
    }

    /** Idle worker in this JVM: time from a token's write to the start of its job. */
    Percentiles wakeUp(int samples) throws Exception {
        CouchDatabase db = databases.create("wake");
        Path home = home(1, PREFETCH, true);
        try {
            Map<String, Long> started = new ConcurrentHashMap<>();
            Main main = CouchworkMain.create(new CouchworkHome(home), home.resolve("config/application.properties"),
                    databases.properties(db.name()));
            main.bind("benchProbe", new StartProbe(started));
            main.start();
            DoneWatch watch = new DoneWatch(db);
            NewTokens factory = new NewTokens("token", Clock.systemUTC());
            Percentiles latency = new Percentiles();
            for (int i = 0; i < samples; i++) {
                ObjectNode token = factory.token(TextNode.valueOf("wake-" + i), 0);
                String id = token.path("_id").asText();
                long written = System.nanoTime();
                db.put(token);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!started.containsKey(id) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                if (started.containsKey(id)) {
                    latency.add((started.get(id) - written) / 1e6);
                }
                watch.awaitFinished(i + 1); // idle again before the next sample
            }
            main.stop();
            return latency;
        } finally {
            databases.drop(db);
            BenchHome.delete(home);
        }
    }

    /** Records when each token's job starts. */
    public static final class StartProbe {
        private final Map<String, Long> started;

        StartProbe(Map<String, Long> started) {
            this.started = started;
        }

        public void started(org.apache.camel.Exchange exchange) {
            started.put(exchange.getMessage().getHeader(CouchworkHeaders.TOKEN_ID, String.class), System.nanoTime());
        }
    }

    /** The moment the first worker logged that it serves the pool (it claims right after). */
    private static long awaitFirstWorkerClaiming(List<Path> logs) throws IOException, InterruptedException {
        while (true) {
            for (Path log : logs) {
                if (Files.exists(log) && Files.readString(log).contains(" serves token types ")) {
                    return System.nanoTime();
                }
            }
            Thread.sleep(5);
        }
    }

    /**
     * Installs the design documents and builds the queue view, as a pool that was loaded and looked at has them: the
     * PiCaS-style loop starts from a built index too, and what is timed is draining, not loading.
     */
    private static void buildViews(CouchDatabase db) {
        new DesignDocuments(db).installFor(List.of("token"));
        db.view(TokenViews.QUEUE_DESIGN, TokenViews.QUEUE, ViewQuery.range(null, null).limit(1));
        db.view(TokenViews.COUCHWORK_DESIGN, TokenViews.STATES, ViewQuery.range(null, null).limit(1)); // read at start
    }

    /** A Couchwork home with a bench route: the trivial job sets the body, optionally after the start probe. */
    private static Path home(int concurrency, int prefetch, boolean probe) throws IOException {
        String probeStep = probe ? BenchHome.PROBE_STEP : "";
        return BenchHome.create("bench", """
                - routeConfiguration:
                    id: tokenPoolErrors
                    errorHandler:
                      noErrorHandler: {}
                - route:
                    id: benchTokens
                    routeConfigurationId: tokenPoolErrors
                    from:
                      uri: "tokens:bench"
                      parameters:
                        types: token
                        concurrency: %d
                        prefetch: %d
                        claimBatch: 100
                        pollInterval: 1s
                      steps:
                %s        - setBody:
                            constant: ok
                """.formatted(concurrency, prefetch, probeStep));
    }

    /** An app process from the packaged jar, with this home and these properties. */
    static Process startWorker(Path home, Path jar, Map<String, String> properties, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-D" + CouchworkHome.LAUNCH_PROPERTY + "=" + home,
                "-jar", jar.toString(), "run"));
        properties.forEach((k, v) -> command.addAll(List.of("-D", k + "=" + v)));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not on Linux
        }
        return -1;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

}
