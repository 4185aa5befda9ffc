package io.couchwork.cli;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.app.CouchworkHome;
import io.couchwork.app.CouchworkMain;
import io.couchwork.app.RouteFiles;
import io.couchwork.config.EnvironmentVariables;
import io.couchwork.config.KnownSettings;
import io.couchwork.config.SettingsReader;
import io.couchwork.config.SettingsValidation;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.couchdb.SecretMasking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.FailedToCreateRouteException;
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
            throw startFailure(e, main);
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
        if (!Files.isRegularFile(file)) {
            throw new CouchworkException("Configuration file " + file + " not found; run from a Couchwork folder, set "
                    + "COUCHWORK_HOME, or pass --config FILE", ExitCode.CONFIGURATION);
        }
        EnvironmentVariables variables = EnvironmentVariables.forConfiguration(file, System.getenv());
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("file:" + file.toAbsolutePath());
            variables.install(context.getPropertiesComponent());
            Properties overrides = new Properties();
            overrides.put(CouchworkHome.PROPERTY, home.root().toString());
            overrides.putAll(variables.settingOverrides());
            overrides.putAll(extraOverrides);
            overrides.putAll(properties);
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

    /**
     * Camel fails to start on route and configuration problems; its deepest message names the file and line of a YAML
     * error, but not of a route Camel could not create (an unknown component, a duplicate id), so those are looked up.
     */
    static Exception startFailure(Exception e, RouteFiles routes) {
        quietFalseSignalLine();
        CouchworkException ours = CouchworkException.findIn(e);
        if (ours != null) {
            String where = where(e, routes); // an endpoint's own check names the option, not its route
            return where.isEmpty() ? e : new CouchworkException(ours.getMessage() + where, ours.exitCode(), e);
        }
        Optional<String> yaml = YamlErrorMessage.describe(e);
        if (yaml.isPresent()) {
            return new CouchworkException("Cannot start: " + yaml.get(), ExitCode.CONFIGURATION, e);
        }
        return new CouchworkException("Cannot start: " + badOption(e).orElseGet(() -> deepestMessage(e))
                + where(e, routes), ExitCode.CONFIGURATION, e);
    }

    /**
     * Camel's shutdown hook logs "triggered by SIGTERM" for any JVM exit; after a failed start the exit is ours, and no
     * signal was sent.
     */
    private static void quietFalseSignalLine() {
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.camel.main.DefaultMainShutdownStrategy",
                org.apache.logging.log4j.Level.WARN);
    }

    /**
     * An option Camel could not set, in the user's terms: "endpoint X: option Y = 'Z' is not valid: why" for an endpoint,
     * "setting camel.main.Y = 'Z' is not valid: why" for the app's settings (no Java class names).
     */
    private static Optional<String> badOption(Throwable error) {
        String uri = null;
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof org.apache.camel.ResolveEndpointFailedException failed) {
                uri = failed.getUri();
            }
            if (t instanceof org.apache.camel.PropertyBindingException binding) {
                String why = binding.getCause() == null ? "there is no such option" : deepestMessage(binding.getCause());
                if (uri != null) {
                    return Optional.of("endpoint " + SecretMasking.maskUrl(uri) + ": option "
                            + binding.getPropertyName() + " = '" + binding.getValue() + "' is not valid: " + why);
                }
                String key = binding.getOptionKey() != null ? binding.getOptionKey() : binding.getPropertyName();
                String prefix = binding.getOptionPrefix() == null || key.startsWith(binding.getOptionPrefix())
                        ? "" : binding.getOptionPrefix();
                return Optional.of("setting " + prefix + key + " = '" + binding.getValue() + "' is not valid: " + why);
            }
        }
        return Optional.empty();
    }

    private static final Pattern DUPLICATE_IDS = Pattern.compile("Duplicate route ids detected: ([^.]+)\\.");

    /** " (route X in FILE line N)" for the route(s) a failure names, when their files are found. */
    static String where(Throwable error, RouteFiles routes) {
        List<String> ids = new ArrayList<>();
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof FailedToCreateRouteException failed && t.getMessage() != null) {
                Matcher duplicates = DUPLICATE_IDS.matcher(t.getMessage());
                if (duplicates.find()) {
                    for (String id : duplicates.group(1).split(",")) {
                        ids.add(id.strip());
                    }
                } else if (failed.getRouteId() != null) {
                    ids.add(failed.getRouteId());
                }
                break;
            }
        }
        List<String> places = new ArrayList<>();
        for (String id : ids) {
            List<String> declared = routes.declarationsOf(id);
            if (!declared.isEmpty()) {
                places.add("route " + id + " in " + String.join(" and ", declared));
            }
        }
        return places.isEmpty() ? "" : " (" + String.join("; ", places) + ")";
    }

    static Exception startFailure(Exception e, Main main) {
        return startFailure(e, routeFiles(main));
    }

    private static RouteFiles routeFiles(Main main) {
        try {
            return new RouteFiles(main.getCamelContext().getPropertiesComponent()
                    .resolveProperty("camel.main.routes-include-pattern").orElse(""));
        } catch (RuntimeException noContext) {
            return new RouteFiles("");
        }
    }

    private static String deepestMessage(Throwable error) {
        String message = error.toString();
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return SecretMasking.maskUrl(message).replaceAll("\\s*\\n\\s*", " ");
    }
}
