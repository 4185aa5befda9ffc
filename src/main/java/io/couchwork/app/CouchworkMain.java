package io.couchwork.app;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.config.EnvironmentVariables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/** Builds the Camel Main application: properties from config/application.properties, routes from routes/. */
public final class CouchworkMain {

    private CouchworkMain() {}

    public static Main create(CouchworkHome home, Path configFile, Map<String, String> overrides) {
        return create(home, configFile, overrides, System.getenv());
    }

    /**
     * The app reading this environment: {{env:X}} placeholders and COUCHWORK_* settings may come from X_FILE (a secret's
     * file), read before anything starts; the command line's -D settings still win over them.
     */
    public static Main create(CouchworkHome home, Path configFile, Map<String, String> overrides,
            Map<String, String> environment) {
        requireConfigFile(configFile);
        EnvironmentVariables variables = EnvironmentVariables.forConfiguration(configFile, environment);
        Main main = new Main() {
            @Override
            protected CamelContext createCamelContext() {
                CamelContext context = super.createCamelContext();
                variables.install(context.getPropertiesComponent());
                return context;
            }
        };
        main.configure().addConfiguration(CouchworkConfiguration.class);
        main.configure().addConfiguration(RecurringTokensConfiguration.class);
        main.addMainListener(new io.couchwork.config.SettingsValidation(configFile, overrides, environment));
        main.addMainListener(new io.couchwork.web.HttpAccess());
        main.addMainListener(new StartupSummary());
        main.setPropertyPlaceholderLocations("file:" + configFile.toAbsolutePath());
        overrideProperties(home, variables, overrides).forEach(main::addOverrideProperty);
        return main;
    }

    /** Fails with a clear message when the configuration file is missing. */
    public static void requireConfigFile(Path configFile) {
        if (!Files.isRegularFile(configFile)) {
            throw new CouchworkException("Configuration file " + configFile + " not found; run from a Couchwork folder,"
                    + " set COUCHWORK_HOME, or pass --config FILE", ExitCode.CONFIGURATION);
        }
    }

    /**
     * What overrides the configuration file, later entries winning: the home folder, COUCHWORK_* environment variables,
     * then {@code overrides} (the command line's).
     */
    public static Map<String, String> overrideProperties(CouchworkHome home, EnvironmentVariables variables,
            Map<String, String> overrides) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(CouchworkHome.PROPERTY, home.root().toString());
        properties.putAll(variables.settingOverrides());
        properties.putAll(overrides);
        return properties;
    }

    /** For {@code mvn camel:run} in the source tree. */
    public static void main(String[] args) throws Exception {
        CouchworkHome home = CouchworkHome.current();
        create(home, home.configFile(), Map.of()).run(args);
    }
}
