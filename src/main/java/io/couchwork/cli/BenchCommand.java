package io.couchwork.cli;

import io.couchwork.bench.Benchmark;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** couchwork bench: measures the server and Couchwork in one run and writes the figures as Markdown. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure Couchwork's real path in one run and write the figures as Markdown.",
            "Worker processes running the shipped shell route (routes/process-tokens.camel.yaml) with a trivial"
                + " command, the same command spawned bare (the machine's limit) and run by a PiCaS-style loop, the"
                + " server alone, each step of the shell path turned off on its own, and the no-op step; on the bundled"
                + " server as it is and behind a proxy giving each request CouchDB 3.5's measured service time (single"
                + " node, cluster). Against COUCHDB_URL when set (then without the cost profiles). 12 to 30 minutes"
                + " with the defaults on 2 cores, as fast as the machine starts processes."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--output", defaultValue = "docs/benchmarks.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--tokens", defaultValue = "2000",
            description = "Tokens per shell row, and jobs per bare spawn row (default: ${DEFAULT-VALUE}).")
    int tokens;

    // as many as the other profiles: a row is timed whole, and the model's latencies at its start and end (the resume
    // reaching the worker, the first claim's and the last result's writes) cost a short row 5-10 % of its rate
    @Option(names = "--cluster-tokens", defaultValue = "2000",
            description = "Tokens per shell row in the cluster profile (default: ${DEFAULT-VALUE}).")
    int clusterTokens;

    @Option(names = "--picas-tokens", defaultValue = "300",
            description = "Tokens per PiCaS-style row (default: ${DEFAULT-VALUE}).")
    int picasTokens;

    @Option(names = "--picas-cluster-tokens", defaultValue = "100",
            description = "Tokens per PiCaS-style row in the cluster profile (default: ${DEFAULT-VALUE}).")
    int picasClusterTokens;

    @Option(names = "--noop-tokens", defaultValue = "2000",
            description = "Tokens of the no-op step row (default: ${DEFAULT-VALUE}).")
    int noopTokens;

    @Option(names = "--profiles", split = ",", defaultValue = "bundled,single-node,cluster",
            description = "Server profiles to run, of bundled, single-node, cluster (default: ${DEFAULT-VALUE}).")
    List<String> profiles;

    @Option(names = "--latency-samples", defaultValue = "40",
            description = "Samples of wake-up and flow latency; 0 skips those sections (default: ${DEFAULT-VALUE}).")
    int latencySamples;

    @Option(names = "--flow-documents", defaultValue = "200",
            description = "Documents of the flow transition rows (default: ${DEFAULT-VALUE}).")
    int flowDocuments;

    @Option(names = "--rows", split = ",", defaultValue = "1x1,1x4,1x16,2x1,4x1,8x1,1x8,4x4",
            description = "Shell rows to run, as processes x slots (default: ${DEFAULT-VALUE}); a target whose rows"
                    + " are left out reads n/a.")
    List<String> rows;

    @Option(names = "--steps", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure each step of the shell path turned off on its own, at 1 x 4 (default: on;"
                    + " --no-steps leaves them out).")
    boolean steps;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        for (String profile : profiles) {
            if (!List.of("bundled", "single-node", "cluster").contains(profile)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Unknown profile '" + profile
                        + "' for --profiles: expected bundled, single-node or cluster");
            }
        }
        if (tokens < 1 || clusterTokens < 1 || picasTokens < 1 || picasClusterTokens < 1 || noopTokens < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Token counts must be at least 1");
        }
        List<Benchmark.Row> grid = new java.util.ArrayList<>();
        for (String row : rows) {
            Benchmark.Row parsed = Benchmark.Row.parse(row);
            if (parsed == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Bad row '" + row
                        + "' for --rows: expected processes x slots, such as 8x1");
            }
            grid.add(parsed);
        }
        try (TargetServer server = TargetServer.fromEnvironmentOrBundled(spec.commandLine().getOut())) {
            return new Benchmark(server.url(), server.user(), server.password(), server.description(),
                    server.bundled() == null ? -1 : server.bundled().pid())
                    .run(new Benchmark.Options(tokens, clusterTokens, picasTokens, picasClusterTokens, noopTokens,
                            profiles, latencySamples, flowDocuments, grid, steps), output);
        }
    }
}
