package io.couchwork.config;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.PropertiesFunction;

/**
 * The environment as Couchwork's configuration reads it. Every variable X the configuration reads ({{env:X}} in the
 * configuration file, or COUCHWORK_* for a setting) may instead be given as X_FILE, the path of a file holding the
 * value, as Docker and Kubernetes secrets are mounted: the file's contents, trailing line breaks removed, are X's value.
 * <p>X and X_FILE both set is a configuration error naming both, and so is a file that cannot be read (naming the
 * variable and the path). X counts as set even when empty, as Camel reads it (an empty COUCHWORK_* variable overrides
 * the file); an empty X_FILE counts as unset. Other *_FILE variables (TOKEN_FILE, COUCHWORK_RECURRING_FILE) are left
 * alone. Values read from files are never logged nor put in messages.
 */
public final class EnvironmentVariables {

    public static final String FILE_SUFFIX = "_FILE";
    /** A secret is short; a larger file is a wrong path (a log, /dev/zero), not a password. */
    static final int MAX_FILE_BYTES = 64 * 1024;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{env:([^:}]+)");

    private final Map<String, String> environment;
    private final Map<String, String> fromFiles;

    private EnvironmentVariables(Map<String, String> environment, Map<String, String> fromFiles) {
        this.environment = environment;
        this.fromFiles = fromFiles;
    }

    /** Reads X_FILE for each X in {@code read}; throws a configuration error for a conflict or an unreadable file. */
    public static EnvironmentVariables resolve(Map<String, String> environment, Collection<String> read) {
        Map<String, String> fromFiles = new LinkedHashMap<>();
        for (String name : new TreeSet<>(read)) {
            String fileVariable = name + FILE_SUFFIX;
            String path = environment.get(fileVariable);
            if (path == null || path.isEmpty()) {
                continue;
            }
            if (environment.containsKey(name)) {
                throw new CouchworkException("Environment variables " + name + " and " + fileVariable + " are both set"
                        + (environment.get(name).isEmpty() ? " (" + name + " empty)" : "") + ": set only one of them",
                        ExitCode.CONFIGURATION);
            }
            fromFiles.put(name, read(fileVariable, path));
        }
        return new EnvironmentVariables(Map.copyOf(environment), Collections.unmodifiableMap(fromFiles));
    }

    /**
     * The environment for Camel Main with this configuration file: its {{env:X}} placeholders and the COUCHWORK_*
     * variable of every known setting may come from files.
     */
    public static EnvironmentVariables forConfiguration(Path configFile, Map<String, String> environment) {
        Set<String> read = new TreeSet<>();
        try {
            read.addAll(placeholdersIn(Files.readString(configFile)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KnownSettings.checks().keySet().forEach(key -> read.add(SettingsValidation.variableFor(key)));
        return resolve(environment, read);
    }

    /** The variables {{env:NAME}} and {{env:NAME:default}} placeholders in this text read, in Camel's upper case. */
    public static Set<String> placeholdersIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            names.add(normalize(m.group(1).trim()));
        }
        return names;
    }

    /** X's value: X itself, or the contents of the file X_FILE names; null when neither is set. */
    public String get(String name) {
        String value = environment.get(name);
        return value != null ? value : fromFiles.get(name);
    }

    /** The variables whose values came from files, with those values. */
    public Map<String, String> fromFiles() {
        return fromFiles;
    }

    /**
     * couchwork.* settings given by COUCHWORK_* variables (or their files), as properties to add above the file's and
     * below the command line's -D (Camel's own lookup of variables, switched off by {@link #install}, would put the
     * environment above -D).
     */
    public Map<String, String> settingOverrides() {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String key : KnownSettings.checks().keySet()) {
            String value = get(SettingsValidation.variableFor(key));
            if (value != null) {
                overrides.put(key, value);
            }
        }
        return overrides;
    }

    /**
     * Makes {{env:X}} in this properties component read X or X_FILE (in place of Camel's env function), and leaves the
     * COUCHWORK_* settings to {@link #settingOverrides}.
     */
    public void install(PropertiesComponent properties) {
        properties.addPropertiesFunction(new EnvFunction(this));
        if (properties instanceof org.apache.camel.component.properties.PropertiesComponent camel) {
            camel.setEnvironmentVariableMode(
                    org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
        }
    }

    /** Looks a name up as Camel's env function does: as written in upper case, then with dots and dashes as '_'. */
    String lookup(String name) {
        String value = get(name.toUpperCase(Locale.ROOT));
        return value != null ? value : get(normalize(name));
    }

    private static String normalize(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    private static String read(String variable, String path) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (InvalidPathException | IOException e) {
            throw new CouchworkException("Cannot read " + variable + " (" + path + "): " + reason(e)
                    + "; mount the secret there or correct " + variable, ExitCode.CONFIGURATION);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new CouchworkException("Cannot read " + variable + " (" + path + "): larger than " + MAX_FILE_BYTES
                    + " bytes, so not a secret's file; correct " + variable, ExitCode.CONFIGURATION);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied (the file must be readable by the user Couchwork runs as)";
        }
        if (e instanceof InvalidPathException) {
            return "not a valid path";
        }
        if (e.getMessage() != null && e.getMessage().contains("Is a directory")) {
            return "a directory, not a file";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** Camel's {{env:NAME}} and {{env:NAME:default}}, reading NAME or NAME_FILE. */
    private static final class EnvFunction implements PropertiesFunction {

        private final EnvironmentVariables variables;

        EnvFunction(EnvironmentVariables variables) {
            this.variables = variables;
        }

        @Override
        public String getName() {
            return "env";
        }

        @Override
        public String apply(String remainder) {
            int colon = remainder.indexOf(':');
            String name = colon < 0 ? remainder : remainder.substring(0, colon);
            String defaultValue = colon < 0 ? null : remainder.substring(colon + 1);
            String value = variables.lookup(name.trim());
            return value != null ? value : defaultValue;
        }
    }
}
