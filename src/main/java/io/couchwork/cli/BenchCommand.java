package io.couchwork.cli;

import io.couchwork.bench.Benchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (TargetServer server = TargetServer.fromEnvironmentOrBundled(spec.commandLine().getOut())) {
            return new Benchmark(server.url(), server.user(), server.password(), server.description())
                    .run(tokens, picasTokens, output);
        }
    }
}
