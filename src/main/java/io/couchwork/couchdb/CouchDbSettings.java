package io.couchwork.couchdb;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.config.SettingsReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Where and how to reach CouchDB; {@link #toString()} never shows the password. */
public record CouchDbSettings(
        URI url,
        String user,
        String password,
        String database,
        boolean createDatabase,
        Duration waitForServer,
        Duration connectTimeout,
        Duration readTimeout,
        int maxRetries,
        String credentialsSource) {

    public static final String PREFIX = "couchwork.couchdb.";
    private static final Pattern DATABASE_NAME = Pattern.compile("^[a-z][a-z0-9_$()+/-]*$");

    public CouchDbSettings {
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new CouchworkException("Invalid setting " + PREFIX + "database = '" + database
                    + "': CouchDB database names start with a lowercase letter and contain only a-z, 0-9 and _$()+-/",
                    ExitCode.CONFIGURATION);
        }
    }

    /** The couchwork.couchdb.* properties naming a server, its credentials and a database. */
    public static Map<String, String> properties(String url, String user, String password, String database) {
        Map<String, String> properties = new HashMap<>();
        properties.put(PREFIX + "url", url);
        properties.put(PREFIX + "user", user);
        properties.put(PREFIX + "password", password);
        properties.put(PREFIX + "database", database);
        return properties;
    }

    /** Settings from a plain map of properties (unset keys take their defaults). */
    public static CouchDbSettings read(Map<String, String> properties) {
        return read(new SettingsReader(key -> Optional.ofNullable(properties.get(key))));
    }

    /** CouchDB's rule for database names. */
    public static boolean isValidDatabaseName(String name) {
        return DATABASE_NAME.matcher(name).matches();
    }

    public static CouchDbSettings read(SettingsReader settings) {
        String rawUrl = settings.string(PREFIX + "url", "http://127.0.0.1:5984");
        URI url = parseUrl(rawUrl);
        String user = settings.string(PREFIX + "user", "");
        String password = settings.string(PREFIX + "password", "");
        String source = "COUCHDB_USER and COUCHDB_PASSWORD (couchwork.couchdb.user and .password)";
        // credentials may come inside the URL (http://user:pass@host); explicit settings win
        if (url.getRawUserInfo() != null) {
            String[] userInfo = url.getRawUserInfo().split(":", 2);
            if (user.isEmpty()) {
                user = decode(userInfo[0]);
                password = userInfo.length > 1 ? decode(userInfo[1]) : "";
                source = "the user and password in COUCHDB_URL (couchwork.couchdb.url)";
            }
            url = withoutUserInfo(url);
        }
        return new CouchDbSettings(
                url,
                user,
                password,
                settings.string(PREFIX + "database", "couchwork"),
                settings.bool(PREFIX + "create-database", true),
                settings.duration(PREFIX + "wait-for-server", "5m"),
                settings.duration(PREFIX + "connect-timeout", "10s"),
                settings.duration(PREFIX + "read-timeout", "60s"),
                settings.integer(PREFIX + "max-retries", 4, 0),
                source);
    }

    /** The server URL for messages and logs: never carries credentials. */
    public String displayUrl() {
        return url.toString();
    }

    public boolean hasCredentials() {
        return !user.isEmpty();
    }

    /** What to do about a database that does not exist, for a command that did not create it. */
    public String missingDatabaseHint() {
        return "check its name (couchwork.couchdb.database, COUCHDB_DATABASE); 'couchwork tokens load' and"
                + " 'couchwork run' create it (with couchwork.couchdb.create-database = true, the default), or create it"
                + " yourself: curl -X PUT " + displayUrl() + "/" + database + " -u USER";
    }

    public String userForDisplay() {
        return hasCredentials() ? "'" + user + "'" : "(none: admin party)";
    }

    @Override
    public String toString() {
        return "CouchDbSettings[url=" + displayUrl() + ", user=" + userForDisplay() + ", password="
                + (password.isEmpty() ? "" : "******") + ", database=" + database + "]";
    }

    private static URI parseUrl(String raw) {
        try {
            URI url = new URI(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase();
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new URISyntaxException(raw, "not an http(s) URL with a host");
            }
            return url;
        } catch (URISyntaxException e) {
            throw new CouchworkException("Invalid setting " + PREFIX + "url (COUCHDB_URL) = '" + SecretMasking.maskUrl(raw)
                    + "': expected an http(s) URL such as http://127.0.0.1:5984", ExitCode.CONFIGURATION);
        }
    }

    private static URI withoutUserInfo(URI url) {
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
