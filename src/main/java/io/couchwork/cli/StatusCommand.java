package io.couchwork.cli;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.config.SettingsReader;
import io.couchwork.token.TokenCounts;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.couchdb.StartupCheck;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.status.PoolStatus;
import io.couchwork.status.PoolStatusReader;
import io.couchwork.status.StatusJson;
import io.couchwork.status.StatusTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** couchwork status: counts, throughput, workers, errors and dead letters of the pool, once or every few seconds. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the token pool: counts per state and set, throughput, time to drain, oldest lock,",
            "workers seen recently, errors, dead letters and workflow documents per flow and state.",
            "--json prints what GET /api/status serves."})
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    AppOptions app;

    @Spec
    CommandSpec spec;

    @Option(names = "--set", paramLabel = "TYPE", description = "Only this token set (token type).")
    String set;

    @Option(names = "--watch", description = "Show it again every --interval until Ctrl-C.")
    boolean watch;

    @Option(names = "--interval", defaultValue = "2s", paramLabel = "DURATION",
            description = "Time between two looks with --watch (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--json", description = "Print JSON (one object per line with --watch).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Duration pause = SettingsReader.parseDuration("--interval", interval);
        // a status look neither waits for a server nor creates a database
        Looked looked = app.withSettings(Map.of(CouchDbSettings.PREFIX + "wait-for-server", "0s",
                CouchDbSettings.PREFIX + "create-database", "false"), s -> new Looked(CouchDbSettings.read(s),
                FlowDefinitions.load(Path.of(s.string("couchwork.flows.states", "config/flows")))));
        CouchDbSettings settings = looked.settings();
        FlowDefinitions flows = looked.flows();
        CouchDatabase database = CouchDatabase.connect(settings);
        new StartupCheck(database.client(), settings, Clock.systemUTC()).awaitReady();
        PoolStatusReader reader = new PoolStatusReader(database, Clock.systemUTC(), flows);
        boolean clear = watch && !json && System.console() != null;
        for (boolean first = true; ; first = false) {
            PoolStatus status = reader.read(Optional.ofNullable(set));
            if (first && set != null && status.sets().stream().allMatch(one -> one.total() == 0)) {
                ensureSetExists(database); // a set with no tokens is none: read the sets there are, for the message
            }
            out.print((clear ? "\033[H\033[2J" : "") + (json ? StatusJson.write(status) + "\n"
                    : StatusTable.render(status)));
            out.flush();
            if (!watch) {
                return 0;
            }
            Thread.sleep(Math.max(100, pause.toMillis()));
        }
    }

    private record Looked(CouchDbSettings settings, FlowDefinitions flows) {}

    private void ensureSetExists(CouchDatabase database) {
        Set<String> sets = TokenCounts.read(database).byType().keySet();
        if (!sets.contains(set)) {
            throw new CouchworkException("No token set '" + set + "' in database '" + database.name() + "'"
                    + (sets.isEmpty() ? " (it has no tokens)" : "; its sets: " + String.join(", ", sets)),
                    ExitCode.USAGE);
        }
    }
}
