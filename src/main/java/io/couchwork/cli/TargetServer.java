package io.couchwork.cli;

import io.couchwork.app.CouchworkHome;
import io.couchwork.config.EnvironmentVariables;
import io.couchwork.couchdb.SecretMasking;
import io.couchwork.devserver.BundledCouchServer;
import java.io.PrintWriter;
import java.util.List;

/** The server a command works against: COUCHDB_URL (+ user, password) when set, else a bundled one started for it. */
record TargetServer(String url, String user, String password, String description, BundledCouchServer bundled)
        implements AutoCloseable {

    static TargetServer fromEnvironmentOrBundled(PrintWriter out) {
        // each may be given as X_FILE, a secret's file
        EnvironmentVariables environment = EnvironmentVariables.resolve(System.getenv(),
                List.of("COUCHDB_URL", "COUCHDB_USER", "COUCHDB_PASSWORD"));
        String url = environment.get("COUCHDB_URL");
        if (url != null && !url.isBlank()) {
            return new TargetServer(url, env(environment, "COUCHDB_USER"), env(environment, "COUCHDB_PASSWORD"),
                    "CouchDB at " + SecretMasking.maskUrl(url), null);
        }
        out.println("Starting the bundled CouchDB-API server (installed on first use) ...");
        out.flush();
        BundledCouchServer server = BundledCouchServer.start(CouchworkHome.current().testServerDirectory(),
                BundledCouchServer.Options.inMemory());
        return new TargetServer(server.url(), "", "", "the bundled PouchDB Server 4.2.0 (in memory)", server);
    }

    @Override
    public void close() {
        if (bundled != null) {
            bundled.close();
        }
    }

    private static String env(EnvironmentVariables environment, String name) {
        String value = environment.get(name);
        return value == null ? "" : value;
    }
}
