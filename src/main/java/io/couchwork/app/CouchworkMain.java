package io.couchwork.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.main.Main;

/** Builds the Camel Main application: properties from config/application.properties, routes from routes/. */
public final class CouchworkMain {

    private CouchworkMain() {}

    public static Main create(CouchworkHome home, Path configFile, Map<String, String> overrides) {
        if (!Files.isRegularFile(configFile)) {
            throw new io.couchwork.CouchworkException("Configuration file " + configFile + " not found; run from a "
                    + "Couchwork folder, set COUCHWORK_HOME, or pass --config FILE", io.couchwork.ExitCode.CONFIGURATION);
        }
        Main main = new Main();
        main.configure().addConfiguration(CouchworkConfiguration.class);
        main.configure().addConfiguration(RecurringTokensConfiguration.class);
        main.addMainListener(new io.couchwork.config.SettingsValidation(configFile, overrides, System.getenv()));
        main.addMainListener(new io.couchwork.web.HttpAccess());
        main.addMainListener(new StartupSummary());
        main.setPropertyPlaceholderLocations("file:" + configFile.toAbsolutePath());
        main.addOverrideProperty(CouchworkHome.PROPERTY, home.root().toString());
        overrides.forEach(main::addOverrideProperty);
        return main;
    }

    /** For {@code mvn camel:run} in the source tree. */
    public static void main(String[] args) throws Exception {
        CouchworkHome home = CouchworkHome.current();
        create(home, home.configFile(), Map.of()).run(args);
    }
}
