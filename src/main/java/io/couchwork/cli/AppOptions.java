package io.couchwork.cli;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.app.CouchworkHome;
import io.couchwork.app.CouchworkMain;
import io.couchwork.config.EnvironmentVariables;
import io.couchwork.config.KnownSettings;
import io.couchwork.config.SettingsReader;
import io.couchwork.config.SettingsValidation;
import io.couchwork.couchdb.CouchDbSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import picocli.CommandLine.Option;

/** Options shared by the commands that start the app: where its configuration is and what to override. */
public final class AppOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (default: config/application.properties in the Couchwork folder).")
    Path config;

    @Option(names = "-D", paramLabel = "KEY=VALUE",
            description = "Set a configuration property, above the file and the environment (repeatable).")
    Map<String, String> properties = new LinkedHashMap<>();

    /** Runs the Camel Main app until it is stopped; returns its exit code. */
    int run(Main main) throws Exception {
        try {
            main.run();
        } catch (Exception e) {
            throw StartFailure.explain(e, main);
        }
        return main.getExitCode();
    }

    /** The app with these overrides (the command line's -D settings win), not started. */
    Main createMain(Map<String, String> extraOverrides) {
        checkOverrideKeys();
        CouchworkHome home = CouchworkHome.current();
        Map<String, String> overrides = new LinkedHashMap<>(extraOverrides);
        overrides.putAll(properties);
        return CouchworkMain.create(home, config != null ? config : home.configFile(), overrides);
    }

    /** The CouchDB settings the app would use (file, environment, -D), resolved by Camel's properties without starting it. */
    public CouchDbSettings couchDbSettings() {
        return withSettings(Map.of(), CouchDbSettings::read);
    }

    /**
     * Reads the app's settings (file, environment, -D above {@code extraOverrides}) with {@code reader}, after the same
     * checks {@code run} makes: an unknown or misspelt key, or a value of the wrong kind, is an error for every command.
     */
    public <T> T withSettings(Map<String, String> extraOverrides, Function<SettingsReader, T> reader) {
        checkOverrideKeys();
        io.couchwork.demo.Progress.quietFramework(CliErrorHandler.isVerbose()); // the context that reads them
        CouchworkHome home = CouchworkHome.current();
        Path file = config != null ? config : home.configFile();
        CouchworkMain.requireConfigFile(file);
        EnvironmentVariables variables = EnvironmentVariables.forConfiguration(file, System.getenv());
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("file:" + file.toAbsolutePath());
            variables.install(context.getPropertiesComponent());
            Map<String, String> commandLine = new LinkedHashMap<>(extraOverrides);
            commandLine.putAll(properties);
            Properties overrides = new Properties();
            overrides.putAll(CouchworkMain.overrideProperties(home, variables, commandLine));
            context.getPropertiesComponent().setOverrideProperties(overrides);
            SettingsReader settings = SettingsReader.of(context.getPropertiesComponent());
            // a misspelt key must not send load or reset to the default database
            new SettingsValidation(file, properties, System.getenv()).check(settings);
            return reader.apply(settings);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // closing a context that never started
        }
    }

    /** -D sets Couchwork's and Camel's settings only: anything else is a typo that would be ignored. */
    private void checkOverrideKeys() {
        List<String> problems = new ArrayList<>();
        for (String key : properties.keySet()) {
            if (!key.startsWith("couchwork.") && !key.startsWith("camel.")) {
                problems.add("-D " + key + " is not a setting: -D sets couchwork.* and camel.* settings only"
                        + KnownSettings.closest("couchwork." + key).map(k -> "; did you mean -D " + k + "?").orElse(""));
            }
        }
        if (!problems.isEmpty()) {
            throw new CouchworkException(String.join("; ", problems), ExitCode.CONFIGURATION);
        }
    }

    /** True when the command line sets this key with -D. */
    public boolean overrides(String key) {
        return properties.containsKey(key);
    }
}
