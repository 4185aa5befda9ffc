package io.couchwork.cli;

import io.couchwork.app.CouchworkHome;
import io.couchwork.bench.Benchmark;
import io.couchwork.devserver.BundledCouchServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** couchwork bench: measures the server and Couchwork in one run and writes the figures as Markdown. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure the server and Couchwork in one run.",
            "The server alone (single and bulk writes, _changes wake-up), Couchwork (tokens/s at several concurrencies"
                + " and processes, wasted claims, wake-up latency, memory) and a faithful PiCaS-style loop. Uses"
                + " COUCHDB_URL, or else the bundled server; writes Markdown."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--output", defaultValue = "docs/benchmarks.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--tokens", defaultValue = "3000", description = "Tokens per Couchwork run (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--picas-tokens", defaultValue = "300",
            description = "Tokens per PiCaS-style run (default: ${DEFAULT-VALUE}).")
    int picasTokens;

    @Override
    public Integer call() throws Exception {
        String url = System.getenv("COUCHDB_URL");
        if (url != null && !url.isBlank()) {
            return new Benchmark(url, env("COUCHDB_USER"), env("COUCHDB_PASSWORD"), "CouchDB at " + url)
                    .run(tokens, picasTokens, output);
        }
        try (BundledCouchServer server = BundledCouchServer.start(CouchworkHome.current().testServerDirectory(),
                BundledCouchServer.Options.inMemory())) {
            return new Benchmark(server.url(), "", "", "the bundled PouchDB Server 4.2.0 (in memory)")
                    .run(tokens, picasTokens, output);
        }
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null ? "" : value;
    }
}
