package io.couchwork.cli;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.demo.DemoPool;
import io.couchwork.demo.Progress;
import io.couchwork.token.TokenCounts;
import io.couchwork.token.TokenState;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.camel.main.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** couchwork demo: fills a pool with example tokens and drains it with the worker from routes/, showing progress. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Fill a pool with example tokens and drain it with the worker, showing progress.",
            "Runs against COUCHDB_URL, or when it is unset against the bundled server (installed on first use),",
            "and ends with counts per state, tokens/s and retries."})
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    AppOptions app;

    @Spec
    CommandSpec spec;

    @Option(names = "--tokens", defaultValue = "1000", description = "Tokens to create (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--concurrency", defaultValue = "4", description = "Parallel jobs (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--database", defaultValue = "couchwork_demo",
            description = "Database for the demo pool (default: ${DEFAULT-VALUE}).")
    String database;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (TargetServer server = TargetServer.fromEnvironmentOrBundled(out)) {
            Map<String, String> overrides = new LinkedHashMap<>(
                    CouchDbSettings.properties(server.url(), server.user(), server.password(), database));
            overrides.put("couchwork.couchdb.create-database", "true");
            overrides.put("couchwork.pool.concurrency", Integer.toString(concurrency));
            overrides.put("couchwork.pool.retry-delay", "1s");
            overrides.put("couchwork.exec.command", DemoPool.COMMAND);
            overrides.put("couchwork.report.interval", "1h");
            return runDemo(out, app.createMain(overrides));
        }
    }

    private int runDemo(PrintWriter out, Main main) throws Exception {
        Progress.quietFramework(CliErrorHandler.isVerbose());
        try {
            main.start();
        } catch (Exception e) {
            throw StartFailure.explain(e, main);
        }
        Thread stopOnSignal = new Thread(main::stop, "demo-stop");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        try {
            CouchDatabase db = main.getCamelContext().getRegistry().lookupByNameAndType("couchDatabase", CouchDatabase.class);
            out.println("Couchwork is running against " + db + "; creating " + tokens + " tokens ...");
            out.flush();
            Instant started = Instant.now();
            DemoPool.create(db, tokens, Clock.systemUTC());
            Progress progress = new Progress(out, System.console() != null);
            TokenCounts counts = TokenCounts.read(db);
            while (counts.pending("token") > 0) {
                progress.show(counts, Duration.between(started, Instant.now()));
                Thread.sleep(500);
                counts = TokenCounts.read(db);
            }
            Duration elapsed = Duration.between(started, Instant.now());
            progress.done(counts, elapsed, DemoPool.retries(db.allDocuments(1000)));
            return counts.count("token", TokenState.ERROR) == 0 ? 0 : 1;
        } finally {
            main.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is stopping the app
            }
        }
    }
}
