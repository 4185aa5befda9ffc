package io.couchwork.bench;

import io.couchwork.app.CouchworkHome;
import io.couchwork.demo.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One benchmark run: the server alone, Couchwork, and the PiCaS-style baseline, all against the same server. */
public final class Benchmark {

    private static final int[] CONCURRENCY = {1, 4, 16};
    private static final int PROCESS_CONCURRENCY = 4;
    private static final int FLOW_DOCUMENTS = 500;

    private final BenchDatabase databases;
    private final String server;

    public Benchmark(String url, String user, String password, String server) {
        this.databases = new BenchDatabase(url, user, password);
        this.server = server;
    }

    public int run(int tokens, int picasTokens, Path output) throws Exception {
        Progress.quietFramework(false);
        Path jar = CouchworkHome.current().root().resolve("couchwork.jar");
        if (!Files.exists(jar)) {
            jar = CouchworkHome.current().root().resolve("target/couchwork.jar");
        }
        try {
            return measure(tokens, picasTokens, output, jar);
        } finally {
            databases.dropAll();
        }
    }

    private int measure(int tokens, int picasTokens, Path output, Path jar) throws Exception {
        say("server alone ...");
        RawServerBench.Result raw = RawServerBench.run(databases, 300, 5000, 40);
        PoolBench pool = new PoolBench(databases, jar);
        Map<Integer, PoolBench.Result> couchwork = new LinkedHashMap<>();
        Map<Integer, PicasBaseline.Result> picas = new LinkedHashMap<>();
        for (int c : CONCURRENCY) {
            say("Couchwork, concurrency " + c + " ...");
            couchwork.put(c, pool.inProcess(tokens, c));
            say("PiCaS-style loop, " + c + " threads ...");
            picas.put(c, PicasBaseline.run(databases, picasTokens, c));
        }
        say("1 worker process ...");
        PoolBench.Result one = pool.processes(tokens, 1, PROCESS_CONCURRENCY);
        say("3 worker processes ...");
        PoolBench.Result three = pool.processes(tokens, 3, PROCESS_CONCURRENCY);
        say("wake-up latency ...");
        Percentiles wake = pool.wakeUp(40);
        say("document workflows ...");
        FlowBench.Result flows = new FlowBench(databases, jar).run(40, FLOW_DOCUMENTS);
        String report = BenchReport.markdown(new BenchReport.Run(server, tokens, picasTokens, raw, couchwork, picas,
                one, three, wake, PROCESS_CONCURRENCY, flows, FLOW_DOCUMENTS));
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        Files.writeString(output, report);
        System.out.println(report);
        System.out.println("Written to " + output);
        return 0;
    }

    private static void say(String what) {
        System.out.println("bench: " + what);
        System.out.flush();
    }
}
