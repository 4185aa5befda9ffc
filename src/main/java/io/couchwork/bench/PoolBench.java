package io.couchwork.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.app.CouchworkHome;
import io.couchwork.app.CouchworkMain;
import io.couchwork.camel.CouchworkHeaders;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.token.ClaimingSwitch;
import io.couchwork.token.DesignDocuments;
import io.couchwork.token.NewTokens;
import io.couchwork.couchdb.ViewQuery;
import io.couchwork.token.TokenViews;
import io.couchwork.token.WorkerPresence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.main.Main;

/**
 * Couchwork draining a pool: worker processes running the shipped shell route (the user's path), the no-op Camel step
 * in this JVM (not a user path: Couchwork's own cost per token), and an idle worker's wake-up.
 */
final class PoolBench {

    /** The no-op step in this JVM: rate and this JVM's resident memory. */
    /** A no-op row: rate, the bench JVM's RSS, and the server's CPU time per token (ms; NaN when not measured). */
    record Result(double tokensPerSecond, long rssKb, double serverCpuMsPerToken) {}

    /**
     * A row of worker processes running the shipped shell route: rate, claims won and lost, CouchDB requests the
     * workers sent (-1 when a worker did not report them), peak resident memory per process (largest and median),
     * the runs file's exactly-once check, tokens in error, what the server-cost proxy saw (null without one), and
     * processes created on the machine per token.
     */
    record ShellResult(int processes, int slots, int tokens, int warmUp, double tokensPerSecond, double seconds, long claims,
            long conflicts, long requests, long rssMaxKb, long rssMedianKb, RunsLog.Check runs, int errors,
            ServerCostProxy.Stats server, double forksPerToken, CpuUse.Share cpu, double steadyPerSecond) {

        int concurrency() {
            return processes * slots;
        }
    }

    // the worker's stop line; the request count is newer than the rest
    private static final Pattern STOPPED = Pattern.compile(
            "claimed (\\d+) tokens, lost (\\d+) claim races(?:, sent (\\d+) CouchDB requests)?");

    /** Worker processes still running; a bench stopped by Ctrl-C or SIGTERM takes them along. */
    private static final Set<Process> STARTED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly),
                "couchwork-bench-workers"));
    }

    /** The no-op row's tokens claimed ahead of the slots: trivial jobs finish in microseconds, so claim in bulk. */
    static final int PREFETCH = 128;

    private final BenchDatabase databases;
    private final Path jar;
    private final Path home;
    /** The bundled server's process, whose CPU time the shell rows report; -1 for a server elsewhere. */
    private final long serverPid;

    /** {@code home}: the Couchwork folder whose config/ and routes/ the worker processes run. */
    PoolBench(BenchDatabase databases, Path jar, Path home, long serverPid) {
        this.databases = databases;
        this.jar = jar;
        this.home = home;
        this.serverPid = serverPid;
    }

    /**
     * One worker in this JVM with {@code concurrency} parallel no-op jobs; after a warm-up batch (as for the shell
     * rows), the tokens are loaded while claiming is paused, and the time runs from the resume until every token is
     * finished.
     */
    Result inProcess(int tokens, int concurrency) throws Exception {
        CouchDatabase db = databases.create("pool");
        Path benchHome = noopHome(concurrency, Math.max(PREFETCH, concurrency * 4), false);
        try {
            buildViews(db);
            Main main = CouchworkMain.create(new CouchworkHome(benchHome),
                    benchHome.resolve("config/application.properties"), databases.properties(db.name()));
            DoneWatch watch = new DoneWatch(db);
            main.start();
            int warmUp = Math.min(tokens, 1000);
            BenchDatabase.fill(db, warmUp);
            watch.awaitFinished(warmUp);
            loadWhilePaused(db, tokens, 1);
            watch.startTiming();
            CpuUse cpu = CpuUse.start(serverPid);
            long t0 = System.nanoTime();
            resume(db);
            RowEnd end = watch.awaitFinished(tokens, () -> new RowEnd(RawServerBench.seconds(t0), cpu.since(),
                    Double.NaN, null));
            main.stop();
            return new Result(tokens / end.seconds(), rssKb(ProcessHandle.current().pid(), "VmRSS:"),
                    1000 * end.cpu().serverSeconds() / tokens);
        } finally {
            databases.drop(db);
            BenchHome.delete(benchHome);
        }
    }

    /**
     * {@code processes} worker JVMs started from the packaged app as users start them ({@code couchwork run}: the
     * shipped config/application.properties and routes/, so routes/process-tokens.camel.yaml runs the token's shell
     * command), each with {@code slots} parallel executions and every other setting at its default; the command
     * appends the token's id to a file. The workers start on an empty pool; once every one serves it and a warm-up
     * batch is drained, the tokens are loaded while claiming is paused, and the time runs from the resume until every
     * token is finished (JVM start-up is not measured).
     */
    ShellResult shellWorkers(int tokens, int processes, int slots, ServerCostProxy proxy) throws Exception {
        return shellWorkers(tokens, processes, slots, proxy, ShellStep.AS_SHIPPED);
    }

    /** As {@link #shellWorkers(int, int, int, ServerCostProxy)}, with one step of the shell path turned off. */
    ShellResult shellWorkers(int tokens, int processes, int slots, ServerCostProxy proxy, ShellStep step)
            throws Exception {
        CouchDatabase db = databases.create("shell");
        Path directory = Files.createTempDirectory("couchwork-bench-shell-");
        RunsLog runs = new RunsLog(directory);
        Map<String, String> properties = new LinkedHashMap<>(databases.properties(db.name()));
        properties.put("couchwork.pool.concurrency", Integer.toString(slots));
        properties.put("couchwork.exec.command", step.command(runs.command()));
        properties.put("couchwork.http.enabled", "false"); // the default; several workers would share its port
        properties.putAll(step.settings());
        List<Process> workers = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (int p = 0; p < processes; p++) {
                Path log = directory.resolve("worker-" + p + ".log");
                logs.add(log);
                workers.add(startWorker(home, jar, properties, log));
            }
            awaitServing(workers, logs);
            DoneWatch watch = new DoneWatch(db);
            // a warm-up batch first: what is timed is workers draining a pool, as a pilot does for hours, not the
            // JIT compiling their code in the first seconds (eight JVMs on two cores take seconds for that)
            int warmUp = warmUpTokens(processes, slots);
            BenchDatabase.fill(db, warmUp);
            watch.awaitFinished(warmUp);
            loadWhilePaused(db, tokens, processes);
            watch.startTiming();
            ShellJob.Forks forks = ShellJob.Forks.start();
            ServerCostProxy.Stats before = proxy == null ? null : proxy.stats();
            CpuUse cpu = CpuUse.start(serverPid, workers.stream().map(Process::pid).toList());
            long t0 = System.nanoTime();
            resume(db);
            RowEnd end = watch.awaitFinished(tokens, () -> new RowEnd(RawServerBench.seconds(t0), cpu.since(),
                    forks.perJob(tokens), proxy == null ? null : proxy.stats().since(before)));
            List<Long> rss = new ArrayList<>();
            for (Process worker : workers) {
                rss.add(peakRssKb(worker.pid()));
            }
            workers.forEach(Process::destroy); // SIGTERM: a graceful stop, which logs the worker's counts
            long claims = 0;
            long conflicts = 0;
            long requests = 0;
            int reported = 0;
            for (int p = 0; p < workers.size(); p++) {
                workers.get(p).waitFor(60, TimeUnit.SECONDS);
                Matcher m = STOPPED.matcher(Files.readString(logs.get(p)));
                if (m.find()) {
                    claims += Long.parseLong(m.group(1));
                    conflicts += Long.parseLong(m.group(2));
                    requests += m.group(3) == null ? 0 : Long.parseLong(m.group(3));
                    reported += m.group(3) == null ? 0 : 1;
                }
            }
            List<Long> sorted = rss.stream().sorted().toList();
            return new ShellResult(processes, slots, tokens, warmUp, tokens / end.seconds(), end.seconds(), claims,
                    conflicts, reported == processes ? requests : -1, sorted.get(sorted.size() - 1),
                    sorted.get(sorted.size() / 2), runs.check(), watch.errors(), end.server(), end.forksPerToken(),
                    end.cpu(), watch.steadyPerSecond(tokens));
        } finally {
            workers.forEach(Process::destroyForcibly);
            databases.drop(db);
            BenchHome.delete(directory);
        }
    }

    /** A row's figures as they stood when the feed showed its last token finished: its time and what it cost. */
    private record RowEnd(double seconds, CpuUse.Share cpu, double forksPerToken, ServerCostProxy.Stats server) {}

    /**
     * Tokens run before the timed part: a few dozen per execution slot of the row, and 500 per worker process at least:
     * the JIT compiles a method after about 200 calls, and a worker's per-token code runs once per token it takes. With
     * 30 per slot alone, each of eight 1-slot workers was timed while its per-token code was still interpreted; with 250
     * per process, their compiler threads still took 9 % of the machine in the timed part (perf, 2026-11-28), with 500
     * none that showed.
     */
    static int warmUpTokens(int processes, int slots) {
        return Math.max(500 * processes, 30 * processes * slots);
    }

    /**
     * Loads the row's tokens into a pool whose workers have claiming paused (the pool's control document, as an
     * operator pauses it), then reads its views once: what is timed after {@link #resume} is workers draining a loaded
     * pool, as PiCaS pilots do and as the PiCaS-style loop is timed, not the writing of the tokens. Waits until every
     * worker's presence document says it follows the pause, so that none claims before the time runs.
     */
    private static void loadWhilePaused(CouchDatabase db, int tokens, int workers) throws InterruptedException {
        ClaimingSwitch.set(db, true, "bench", Clock.systemUTC());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (db.withIdPrefix(WorkerPresence.ID_PREFIX).stream()
                .filter(presence -> presence.path(ClaimingSwitch.PAUSED).asBoolean(false)).count() < workers) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not every worker followed the pause within a minute");
            }
            Thread.sleep(10);
        }
        BenchDatabase.fill(db, tokens);
        readViews(db);
    }

    private static void resume(CouchDatabase db) {
        ClaimingSwitch.set(db, false, "bench", Clock.systemUTC());
    }

    /** Waits until every worker logged that it serves the pool; a worker that exits first fails the run. */
    private static void awaitServing(List<Process> workers, List<Path> logs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        for (int p = 0; p < workers.size(); p++) {
            Path log = logs.get(p);
            while (!Files.exists(log) || !Files.readString(log).contains(" serves token types ")) {
                if (!workers.get(p).isAlive() || System.nanoTime() > deadline) {
                    String text = Files.exists(log) ? Files.readString(log) : "";
                    throw new IllegalStateException("worker " + p + " did not start serving the pool; its log ends: "
                            + text.substring(Math.max(0, text.length() - 2000)));
                }
                Thread.sleep(20);
            }
        }
    }

    /** Idle worker in this JVM: time from a token's write to the start of its job. */
    Percentiles wakeUp(int samples) throws Exception {
        CouchDatabase db = databases.create("wake");
        Path benchHome = noopHome(1, PREFETCH, true);
        try {
            Map<String, Long> started = new ConcurrentHashMap<>();
            Main main = CouchworkMain.create(new CouchworkHome(benchHome),
                    benchHome.resolve("config/application.properties"), databases.properties(db.name()));
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
            BenchHome.delete(benchHome);
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

    /**
     * Installs the design documents and builds the queue view, as a pool that was loaded and looked at has them: the
     * PiCaS-style loop starts from a built index too, and what is timed is draining, not loading.
     */
    private static void buildViews(CouchDatabase db) {
        new DesignDocuments(db).installFor(List.of("token"));
        readViews(db);
    }

    /** Brings the worker's views up to date (the queue view, and the states view it reads at start). */
    private static void readViews(CouchDatabase db) {
        db.view(TokenViews.QUEUE_DESIGN, TokenViews.QUEUE, ViewQuery.range(null, null).limit(1));
        db.view(TokenViews.COUCHWORK_DESIGN, TokenViews.STATES, ViewQuery.range(null, null).limit(1));
    }

    /** A Couchwork home with a bench route: the trivial job sets the body, optionally after the start probe. */
    private static Path noopHome(int concurrency, int prefetch, boolean probe) throws IOException {
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

    /**
     * An app process started as users start it, through bin/couchwork beside the jar (so with the launcher's JVM
     * settings), with this home and these properties.
     */
    static Process startWorker(Path home, Path jar, Map<String, String> properties, Path log) throws IOException {
        Path root = jar.toAbsolutePath().getParent();
        if (root.getFileName().toString().equals("target")) {
            root = root.getParent(); // the source tree: bin/ is beside target/
        }
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/couchwork").toString(), "run"));
        properties.forEach((k, v) -> command.addAll(List.of("-D", k + "=" + v)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        String userOptions = System.getenv().getOrDefault("JAVA_OPTS", "");
        builder.environment().put("JAVA_OPTS", (userOptions + " -D" + CouchworkHome.LAUNCH_PROPERTY + "=" + home).strip());
        Process worker = builder.start();
        STARTED.add(worker);
        worker.onExit().thenRun(() -> STARTED.remove(worker));
        return worker;
    }

    /** A process's peak resident memory (VmHWM) in KiB, -1 when unknown. */
    static long peakRssKb(long pid) {
        return rssKb(pid, "VmHWM:");
    }

    private static long rssKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not on Linux
        }
        return -1;
    }

}
