package io.couchwork.testing;

import io.couchwork.devserver.BundledCouchServer;
import java.util.Map;

/**
 * A server that enforces credentials: COUCHDB_URL when it has a user (a real CouchDB 3), else a second bundled server
 * with an admin configured, for one test only.
 */
public final class AuthServer implements AutoCloseable {

    private final TestCouch couch;
    private final String database;
    private final BundledCouchServer bundled;

    private AuthServer(TestCouch couch, String database, BundledCouchServer bundled) {
        this.couch = couch;
        this.database = database;
        this.bundled = bundled;
    }

    /** The test's server if it enforces credentials, else a new bundled one whose admin has the given password. */
    public static AuthServer start(TestCouch couch, String adminPassword) {
        if (!couch.isBundled() && !couch.user().isEmpty()) {
            return new AuthServer(couch, couch.createDatabase(), null);
        }
        BundledCouchServer server = CouchDbServerExtension.startBundledServer(
                BundledCouchServer.Options.inMemory().withAdmin("admin", adminPassword));
        return new AuthServer(new TestCouch(server.url(), "admin", adminPassword, true), "couchwork", server);
    }

    /** The server URL, without credentials. */
    public String url() {
        return couch.settings(database).displayUrl();
    }

    public String user() {
        return couch.user();
    }

    public String password() {
        return couch.password();
    }

    public String database() {
        return database;
    }

    /** Couchwork properties with this server's URL, user, password and database. */
    public Map<String, String> properties() {
        return couch.properties(database);
    }

    @Override
    public void close() {
        if (bundled != null) {
            bundled.close();
        }
    }
}
