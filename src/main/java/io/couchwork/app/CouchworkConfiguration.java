package io.couchwork.app;

import com.ibm.cloud.cloudant.v1.Cloudant;
import io.couchwork.config.SettingsReader;
import io.couchwork.conflicts.FlowConflictHandler;
import io.couchwork.conflicts.TokenConflictHandler;
import io.couchwork.couchdb.CamelCouchDbEndpoints;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbClients;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.couchdb.ServerDescription;
import io.couchwork.couchdb.StartupCheck;
import io.couchwork.flow.ChannelSetup;
import io.couchwork.flow.CrashPolicy;
import io.couchwork.flow.DeadLetters;
import io.couchwork.flow.DeviceRegistration;
import io.couchwork.flow.DocumentSchemas;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.flow.Pipeline;
import io.couchwork.flow.StateHandlers;
import io.couchwork.pilot.PilotEnding;
import io.couchwork.pilot.PilotSettings;
import io.couchwork.report.DatabaseReporter;
import io.couchwork.token.Pilot;
import io.couchwork.token.PilotLimits;
import io.couchwork.token.WorkerIdentity;
import java.time.Clock;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires Couchwork's beans into Camel's registry once CouchDB has been checked and is ready. */
public class CouchworkConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(CouchworkConfiguration.class);

    private static CrashPolicy crashPolicy(SettingsReader settings) {
        String value = settings.string("couchwork.flows.on-crash", "park");
        try {
            return CrashPolicy.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new io.couchwork.CouchworkException("Invalid setting couchwork.flows.on-crash = '" + value
                    + "': expected rerun or park", io.couchwork.ExitCode.CONFIGURATION);
        }
    }

    /** The run's pilot, when it has a stop condition: couchwork run binds where its end goes (the exit code). */
    private static void bindPilot(CamelContext context, SettingsReader settings, Clock clock) {
        PilotLimits limits = PilotSettings.read(settings, System.getenv(), clock.instant());
        if (!limits.any()) {
            return;
        }
        PilotEnding ending = context.getRegistry().lookupByNameAndType("pilotEnding", PilotEnding.class);
        context.getRegistry().bind("pilot", new Pilot(limits, clock, ending != null ? ending : end -> { }));
        LOG.info("Pilot mode: {}", PilotSettings.describe(limits));
    }

    @Override
    public void configure(CamelContext context) {
        SettingsReader settings = SettingsReader.of(context.getPropertiesComponent());
        CouchDbSettings couchDb = CouchDbSettings.read(settings);
        // a test may bind its own clock before start
        Clock bound = context.getRegistry().lookupByNameAndType("clock", Clock.class);
        Clock clock = bound != null ? bound : Clock.systemUTC();
        // a bad states file fails the start before anything connects
        FlowDefinitions flows = FlowDefinitions.load(java.nio.file.Path.of(settings.string("couchwork.flows.states",
                "config/flows")));
        Cloudant client = CouchDbClients.create(couchDb);
        ServerDescription server = new StartupCheck(client, couchDb, clock).awaitReady();
        LOG.info(server.summary(couchDb.displayUrl()));

        CouchDatabase database = new CouchDatabase(client, couchDb); // the client the check used
        CamelCouchDbEndpoints.define(context.getPropertiesComponent(), couchDb);
        WorkerIdentity worker = WorkerIdentity.current();
        if (bound == null) {
            context.getRegistry().bind("clock", clock);
        }
        bindPilot(context, settings, clock);
        context.getRegistry().bind("couchDatabase", database);
        context.getRegistry().bind("tokenConflicts", new TokenConflictHandler(database, clock));
        context.getRegistry().bind("workerIdentity", worker);
        context.getRegistry().bind("databaseReporter", new DatabaseReporter(database));
        io.couchwork.web.Monitoring.bind(context, database, clock, flows, worker.hostname());
        context.getRegistry().bind("stateHandlers", new StateHandlers(database, clock, worker,
                settings.duration("couchwork.flows.handler-lease", "5m").toSeconds(), crashPolicy(settings), flows));
        context.getRegistry().bind("flowDefinitions", flows);
        context.getRegistry().bind("flowConflicts", new FlowConflictHandler(database, flows, clock));
        context.getRegistry().bind("deadLetters", new DeadLetters(database, clock));
        context.getRegistry().bind("countRedelivery", DeadLetters.countRedelivery());
        context.getRegistry().bind("serverFault", new io.couchwork.flow.ServerFault());
        context.getRegistry().bind("channelSetup", new ChannelSetup(database, clock, flows));
        context.getRegistry().bind("documentSchemas", new DocumentSchemas(java.nio.file.Path.of(
                settings.string("couchwork.flows.schemas", "config/schemas"))));
        Pipeline pipeline = new Pipeline(database, clock, worker, flows);
        context.getRegistry().bind("pipeline", pipeline);
        if (settings.bool("couchwork.flows.pipeline.enabled", false)) {
            pipeline.installViews();
        }
        context.getRegistry().bind("deviceRegistration", new DeviceRegistration(database, clock, flows,
                settings.duration("couchwork.flows.devices.code-lifetime", "1h"),
                settings.string("couchwork.mail.from", "couchwork@localhost"),
                settings.string("couchwork.flows.devices.confirm-url", "http://127.0.0.1:8080/confirm")));
    }
}
