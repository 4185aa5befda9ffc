package io.couchwork.cli;

import io.couchwork.app.CouchworkHome;
import io.couchwork.config.SettingsReader;
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
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.camel.impl.DefaultCamelContext;
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
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            SettingsReader appSettings = SettingsReader.of(properties(context));
            CouchDbSettings settings = CouchDbSettings.read(appSettings);
            FlowDefinitions flows = FlowDefinitions.load(Path.of(appSettings.string("couchwork.flows.states",
                    "config/flows")));
            CouchDatabase database = CouchDatabase.connect(settings);
            new StartupCheck(database.client(), settings, Clock.systemUTC()).awaitReady();
            PoolStatusReader reader = new PoolStatusReader(database, Clock.systemUTC(), flows);
            boolean clear = watch && !json && System.console() != null;
            while (true) {
                PoolStatus status = reader.read(Optional.ofNullable(set));
                out.print((clear ? "\033[H\033[2J" : "") + (json ? StatusJson.write(status) + "\n"
                        : StatusTable.render(status)));
                out.flush();
                if (!watch) {
                    return 0;
                }
                Thread.sleep(Math.max(100, pause.toMillis()));
            }
        }
    }

    /** The app's settings (file, environment, -D); a status look neither waits for a server nor creates a database. */
    private org.apache.camel.spi.PropertiesComponent properties(DefaultCamelContext context) {
        CouchworkHome home = CouchworkHome.current();
        context.getPropertiesComponent().setLocation("file:" + (app.config != null ? app.config : home.configFile()));
        Properties overrides = new Properties();
        overrides.put(CouchworkHome.PROPERTY, home.root().toString());
        overrides.put(CouchDbSettings.PREFIX + "wait-for-server", "0s");
        overrides.put(CouchDbSettings.PREFIX + "create-database", "false");
        overrides.putAll(app.properties);
        context.getPropertiesComponent().setOverrideProperties(overrides);
        return context.getPropertiesComponent();
    }
}
