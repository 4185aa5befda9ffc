package io.couchwork.config;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the couchwork.* settings before anything starts: an unknown key (a typo would otherwise be ignored silently)
 * and a value of the wrong kind are configuration errors naming the key, where it was set and, for a typo, the key
 * that was probably meant. Unknown COUCHWORK_* environment variables only warn: the environment is shared. A setting's
 * variable may also be given as COUCHWORK_..._FILE, a file holding its value ({@link EnvironmentVariables}).
 */
public final class SettingsValidation extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsValidation.class);
    private static final String PREFIX = "couchwork.";
    /** COUCHWORK_* variables that are not settings. */
    private static final List<String> OTHER_VARIABLES = List.of("COUCHWORK_HOME", "COUCHWORK_LOG_LEVEL",
            "COUCHWORK_TOKEN_LOG_LEVEL");

    private final Path configFile;
    private final Map<String, String> overrides;
    private final Map<String, String> environment;

    public SettingsValidation(Path configFile, Map<String, String> overrides, Map<String, String> environment) {
        this.configFile = configFile;
        this.overrides = Map.copyOf(overrides);
        this.environment = Map.copyOf(environment);
    }

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        check(SettingsReader.of(main.getCamelContext().getPropertiesComponent()));
    }

    /** Throws one CouchworkException listing every problem; warns about unknown environment variables. */
    public void check(SettingsReader settings) {
        Map<String, String> sources = sources();
        List<String> problems = new ArrayList<>();
        sources.forEach((key, source) -> {
            if (key.startsWith(PREFIX) && !KnownSettings.isKnown(key)) {
                problems.add("Unknown setting " + key + " (" + source + ")"
                        + KnownSettings.closest(key).map(k -> ": did you mean " + k + "?").orElse(""));
            }
        });
        for (Map.Entry<String, BiConsumer<SettingsReader, String>> known : KnownSettings.checks().entrySet()) {
            try {
                known.getValue().accept(settings, known.getKey());
            } catch (CouchworkException invalid) {
                String source = sources.get(known.getKey());
                problems.add(invalid.getMessage() + (source == null ? "" : " (" + source + ")"));
            }
        }
        warnAboutUnknownVariables();
        if (!problems.isEmpty()) {
            throw new CouchworkException(String.join("; ", problems), ExitCode.CONFIGURATION);
        }
    }

    /** Where each key was set: the command line wins over the environment, which wins over the file. */
    private Map<String, String> sources() {
        Map<String, String> sources = new LinkedHashMap<>(fileKeys());
        for (String key : KnownSettings.checks().keySet()) {
            String variable = variableFor(key);
            if (environment.containsKey(variable)) {
                sources.put(key, "environment variable " + variable);
            } else if (!environment.getOrDefault(variable + EnvironmentVariables.FILE_SUFFIX, "").isEmpty()) {
                sources.put(key, "environment variable " + variable + EnvironmentVariables.FILE_SUFFIX);
            }
        }
        overrides.keySet().forEach(key -> sources.put(key, "-D " + key));
        return sources;
    }

    private Map<String, String> fileKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(configFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean continued = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            boolean startsEntry = !continued && !line.isEmpty() && !line.startsWith("#") && !line.startsWith("!");
            continued = line.endsWith("\\") && !line.endsWith("\\\\");
            if (startsEntry) {
                String key = line.split("\\s*[=:\\s]", 2)[0];
                keys.put(key, configFile.getFileName() + " line " + (i + 1));
            }
        }
        return keys;
    }

    private void warnAboutUnknownVariables() {
        for (String variable : environment.keySet()) {
            // COUCHWORK_<SETTING>_FILE: the setting's value from a file (a secret)
            String setting = variable.endsWith(EnvironmentVariables.FILE_SUFFIX) && !isSettingVariable(variable)
                    ? variable.substring(0, variable.length() - EnvironmentVariables.FILE_SUFFIX.length()) : variable;
            if (variable.startsWith("COUCHWORK_") && !OTHER_VARIABLES.contains(variable) && !isSettingVariable(setting)) {
                String meant = KnownSettings.closest(PREFIX + variable.substring("COUCHWORK_".length())
                        .toLowerCase(Locale.ROOT).replace('_', '.')).map(SettingsValidation::variableFor)
                        .map(v -> "; did you mean " + v + "?").orElse("");
                LOG.warn("Environment variable {} is not a Couchwork setting and is ignored{}", variable, meant);
            }
        }
    }

    private static boolean isSettingVariable(String variable) {
        return KnownSettings.checks().keySet().stream().anyMatch(k -> variableFor(k).equals(variable));
    }

    /** couchwork.pool.lease-duration → COUCHWORK_POOL_LEASE_DURATION */
    static String variableFor(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
