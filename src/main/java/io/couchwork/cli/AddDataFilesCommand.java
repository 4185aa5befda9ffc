package io.couchwork.cli;

import io.couchwork.app.CouchworkHome;
import io.couchwork.config.SettingsReader;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.flow.Pipeline;
import io.couchwork.token.WorkerIdentity;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.camel.impl.DefaultCamelContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** couchwork add-datafiles: creates example data-file documents for the processing pipeline flow. */
@Command(name = "add-datafiles", mixinStandardHelpOptions = true,
        description = "Create example data-file documents (EDELWEISS-style) for the processing pipeline flow.")
public final class AddDataFilesCommand implements Callable<Integer> {

    @Mixin
    AppOptions app;

    @Option(names = "--count", defaultValue = "5", description = "How many (default: ${DEFAULT-VALUE}).")
    int count;

    @Override
    public Integer call() throws Exception {
        // the same properties the app reads (file, environment, -D), resolved by Camel without starting it
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            CouchworkHome home = CouchworkHome.current();
            context.getPropertiesComponent().setLocation("file:" + (app.config != null ? app.config : home.configFile()));
            java.util.Properties overrides = new java.util.Properties();
            overrides.put(CouchworkHome.PROPERTY, home.root().toString());
            overrides.putAll(app.properties);
            context.getPropertiesComponent().setOverrideProperties(overrides);
            CouchDatabase database = CouchDatabase.connect(CouchDbSettings.read(
                    SettingsReader.of(context.getPropertiesComponent())));
            List<String> ids = new Pipeline(database, Clock.systemUTC(), WorkerIdentity.current()).addExampleFiles(count);
            System.out.println("Created " + ids.size() + " data files in " + database + ": " + String.join(", ", ids));
            return 0;
        }
    }
}
