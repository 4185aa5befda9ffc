package io.couchwork.bench;

import io.couchwork.app.CouchworkHome;
import io.couchwork.demo.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark run, every ratio from the same run: the bare spawn reference, then per server profile (the bundled
 * server as it is, and behind the {@link ServerCostProxy} with CouchDB 3.5's single-node and cluster costs) the server
 * alone, worker processes running the shipped shell route, and the PiCaS-style loop running the same command; the
 * no-op step, wake-up and flow latency once, on the bundled server.
 */
public final class Benchmark {

    /** What to run and how much; {@code profiles}: keys of {@link #PROFILES} (ignored against COUCHDB_URL). */
    public record Options(int tokens, int clusterTokens, int picasTokens, int picasClusterTokens, int noopTokens,
            List<String> profiles, int latencySamples, int flowDocuments, List<Row> rows, boolean steps) {}

    /** One shell row: worker processes × execution slots each. */
    public record Row(int processes, int slots) {
        private static final java.util.regex.Pattern FORM =
                java.util.regex.Pattern.compile("([1-9][0-9]{0,2})[x×]([1-9][0-9]{0,2})");

        /** Parses {@code 8x1}; null when the text is not of that form. */
        public static Row parse(String text) {
            java.util.regex.Matcher m = FORM.matcher(text.trim());
            return m.matches() ? new Row(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))) : null;
        }

        @Override
        public String toString() {
            return processes + "x" + slots;
        }
    }

    /** A server set-up the rows run against: the server as it is (no cost model), or behind the cost proxy. */
    record Profile(String key, String title, CostModel.Profile cost) {}

    static final List<Profile> PROFILES = List.of(
            new Profile("bundled", "Bundled server, no added cost", null),
            new Profile(CostModel.SINGLE_NODE.key(), CostModel.SINGLE_NODE.title(), CostModel.SINGLE_NODE),
            new Profile(CostModel.CLUSTER.key(), CostModel.CLUSTER.title(), CostModel.CLUSTER));

    static final int[] PICAS_THREADS = {1, 4, 16};
    /** The row the steps of the shell path are measured in: one worker process with the shipped concurrency. */
    static final Row STEP_ROW = new Row(1, 4);
    private static final int NOOP_CONCURRENCY = 16;

    private final String url;
    private final String user;
    private final String password;
    private final String server;
    private final boolean bundled;
    private final long serverPid;

    /**
     * {@code serverPid}: the bundled server's process (the cost profiles apply, and its CPU time is reported), or -1 for
     * a server elsewhere (a real CouchDB).
     */
    public Benchmark(String url, String user, String password, String server, long serverPid) {
        this.serverPid = serverPid;
        boolean bundled = serverPid >= 0;
        this.url = url;
        this.user = user;
        this.password = password;
        this.server = server;
        this.bundled = bundled;
    }

    public int run(Options options, Path output) throws Exception {
        Progress.quietFramework(false);
        CouchworkHome home = CouchworkHome.current();
        Path jar = home.root().resolve("couchwork.jar");
        if (!Files.exists(jar)) {
            jar = home.root().resolve("target/couchwork.jar");
        }
        BenchDatabase direct = new BenchDatabase(url, user, password);
        List<BenchDatabase> viaProxies = new ArrayList<>();
        long started = System.nanoTime();
        try {
            String report = BenchReport.markdown(measure(options, jar, home, direct, viaProxies, started));
            if (output.getParent() != null) {
                Files.createDirectories(output.getParent());
            }
            Files.writeString(output, report);
            System.out.println(report);
            System.out.println("Written to " + output);
            return 0;
        } finally {
            direct.dropAll(viaProxies);
        }
    }

    private BenchReport.Run measure(Options options, Path jar, CouchworkHome home, BenchDatabase direct,
            List<BenchDatabase> viaProxies, long started) throws Exception {
        List<Profile> profiles = bundled
                ? PROFILES.stream().filter(p -> options.profiles().contains(p.key())).toList()
                : List.of(new Profile("server", server, null));
        Map<Integer, BareSpawn.Result> spawn = new LinkedHashMap<>();
        for (int concurrency : concurrencies(options.rows())) {
            say("bare spawn, " + concurrency + " in parallel ...");
            spawn.put(concurrency, BareSpawn.run(options.tokens(), concurrency));
        }
        PoolBench.Result noop = null;
        Percentiles wake = null;
        FlowBench.Result flows = null;
        List<BenchReport.ProfileRun> runs = new ArrayList<>();
        Profile stepProfile = options.steps() ? stepProfile(profiles) : null;
        BenchReport.Steps steps = null;
        for (Profile profile : profiles) {
            boolean cluster = profile.cost() == CostModel.CLUSTER;
            int tokens = cluster ? options.clusterTokens() : options.tokens();
            int picasTokens = cluster ? options.picasClusterTokens() : options.picasTokens();
            ServerCostProxy proxy = profile.cost() == null ? null : ServerCostProxy.start(url, profile.cost());
            try {
                BenchDatabase databases = direct;
                if (proxy != null) {
                    databases = direct.through(proxy.url());
                    viaProxies.add(databases);
                }
                say(profile.title() + ": the server alone ...");
                RawServerBench.Result raw = RawServerBench.run(databases, 300, 5000, 40);
                PoolBench pool = new PoolBench(databases, jar, home.root(), serverPid);
                if (noop == null && profile.cost() == null) {
                    say(profile.title() + ": no-op step (not a user path), concurrency " + NOOP_CONCURRENCY + " ...");
                    noop = pool.inProcess(options.noopTokens(), NOOP_CONCURRENCY);
                    say(String.format(java.util.Locale.ROOT, "  %.1f tokens/s, the server's CPU %.2f ms per token",
                            noop.tokensPerSecond(), noop.serverCpuMsPerToken()));
                }
                List<PoolBench.ShellResult> shell = new ArrayList<>();
                for (Row row : options.rows()) {
                    say(profile.title() + ": shell route, " + row.processes() + " worker process(es) × " + row.slots()
                            + " slot(s), " + tokens + " tokens ...");
                    PoolBench.ShellResult result = pool.shellWorkers(tokens, row.processes(), row.slots(), proxy);
                    shell.add(result);
                    say(String.format(java.util.Locale.ROOT, "  %.1f tokens/s, %d claim races lost, %d duplicates%s",
                            result.tokensPerSecond(), result.conflicts(), result.runs().duplicates(),
                            result.server() == null ? "" : ", server requests per token " + perToken(result)));
                }
                if (profile == stepProfile) {
                    steps = measureSteps(pool, tokens, proxy, profile);
                }
                Map<Integer, PicasBaseline.Result> picas = new LinkedHashMap<>();
                for (int threads : PICAS_THREADS) {
                    say(profile.title() + ": PiCaS-style loop, " + threads + " thread(s), " + picasTokens
                            + " tokens ...");
                    picas.put(threads, PicasBaseline.run(databases, picasTokens, threads));
                    say(String.format("  %.1f tokens/s", picas.get(threads).tokensPerSecond()));
                }
                if (wake == null && profile.cost() == null && options.latencySamples() > 0) {
                    say(profile.title() + ": wake-up latency ...");
                    wake = pool.wakeUp(options.latencySamples());
                    say(profile.title() + ": document workflows ...");
                    flows = new FlowBench(databases, jar).run(options.latencySamples(), options.flowDocuments());
                }
                runs.add(new BenchReport.ProfileRun(profile, tokens, picasTokens, raw, shell, picas));
            } finally {
                if (proxy != null) {
                    proxy.close();
                }
            }
        }
        return new BenchReport.Run(server, home.root(), spawn, options.tokens(), noop, options.noopTokens(),
                NOOP_CONCURRENCY, runs, wake, flows, options.flowDocuments(), Settings.of(home.configFile()),
                steps, RawServerBench.seconds(started));
    }

    /**
     * The steps of the shell path, each turned off on its own, next to a row as shipped run just before them (not the
     * profile's own row, which ran minutes earlier: neighbours in time share the machine's state).
     */
    private static BenchReport.Steps measureSteps(PoolBench pool, int tokens, ServerCostProxy proxy, Profile profile)
            throws Exception {
        List<BenchReport.StepRun> measured = new ArrayList<>();
        List<ShellStep> all = new ArrayList<>(List.of(ShellStep.AS_SHIPPED));
        all.addAll(ShellStep.OFF);
        for (ShellStep step : all) {
            say(profile.title() + ": shell route " + STEP_ROW.processes() + " × " + STEP_ROW.slots() + ", step off: "
                    + step.name() + " ...");
            PoolBench.ShellResult result = pool.shellWorkers(tokens, STEP_ROW.processes(), STEP_ROW.slots(), proxy,
                    step);
            measured.add(new BenchReport.StepRun(step, result));
            say(String.format(java.util.Locale.ROOT, "  %.1f tokens/s, %d duplicates", result.tokensPerSecond(),
                    result.runs().duplicates()));
        }
        return new BenchReport.Steps(profile, STEP_ROW, measured);
    }

    /** Where the steps are measured: at CouchDB 3's single-node costs when that profile runs, else the first. */
    static Profile stepProfile(List<Profile> profiles) {
        return profiles.stream().filter(p -> p.cost() == CostModel.SINGLE_NODE).findFirst()
                .orElse(profiles.isEmpty() ? null : profiles.get(0));
    }

    /** What the proxy saw per token, by kind of request (the bench's own watching and loading included). */
    private static String perToken(PoolBench.ShellResult result) {
        StringBuilder text = new StringBuilder();
        result.server().requests().forEach((kind, n) -> {
            if (n > 0) {
                text.append(text.length() > 0 ? ", " : "").append(kind.name().toLowerCase(java.util.Locale.ROOT))
                        .append(' ').append(String.format(java.util.Locale.ROOT, "%.2f", (double) n / result.tokens()));
            }
        });
        return text.toString();
    }

    /** Every concurrency a shell or PiCaS row runs at, for its bare spawn reference. */
    static List<Integer> concurrencies(List<Row> rows) {
        java.util.TreeSet<Integer> all = new java.util.TreeSet<>();
        for (Row row : rows) {
            all.add(row.processes() * row.slots());
        }
        for (int threads : PICAS_THREADS) {
            all.add(threads);
        }
        return List.copyOf(all);
    }

    private static final long STARTED = System.nanoTime();

    private static void say(String what) {
        long seconds = (System.nanoTime() - STARTED) / 1_000_000_000L;
        System.out.printf("bench [%d:%02d]: %s%n", seconds / 60, seconds % 60, what);
        System.out.flush();
    }
}
