package io.couchwork.testing;

import io.couchwork.devserver.BundledCouchServer;
import io.couchwork.couchdb.CouchDbSettings;
import java.util.Map;

/**
 * A server that enforces credentials: COUCHDB_URL when it has a user (a real CouchDB 3), else a second bundled server
 * with an admin configured, for one test only.
 */
public final class AuthServer implements AutoCloseable {

    private final String url;
    private final String user;
    private final String password;
    private final String database;
    private final BundledCouchServer bundled;

    private AuthServer(String url, String user, String password, String database, BundledCouchServer bundled) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.database = database;
        this.bundled = bundled;
    }

    /** The test's server if it enforces credentials, else a new bundled one whose admin has the given password. */
    public static AuthServer start(TestCouch couch, String adminPassword) {
        if (!couch.isBundled() && !couch.user().isEmpty()) {
            return new AuthServer(couch.settings("couchwork").displayUrl(), couch.user(), couch.password(),
                    couch.createDatabase(), null);
        }
        BundledCouchServer server = CouchDbServerExtension.startBundledServer(
                BundledCouchServer.Options.inMemory().withAdmin("admin", adminPassword));
        return new AuthServer(server.url(), "admin", adminPassword, "couchwork", server);
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String database() {
        return database;
    }

    /** Couchwork properties with this server's URL, user, password and database. */
    public Map<String, String> properties() {
        return CouchDbSettings.properties(url, user, password, database);
    }

    @Override
    public void close() {
        if (bundled != null) {
            bundled.close();
        }
    }
}
