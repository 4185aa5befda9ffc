package io.couchwork.cli;

import io.couchwork.app.CouchworkHome;
import io.couchwork.devserver.BundledCouchServer;
import java.io.PrintWriter;

/** The server a command works against: COUCHDB_URL (+ user, password) when set, else a bundled one started for it. */
record TargetServer(String url, String user, String password, String description, BundledCouchServer bundled)
        implements AutoCloseable {

    static TargetServer fromEnvironmentOrBundled(PrintWriter out) {
        String url = System.getenv("COUCHDB_URL");
        if (url != null && !url.isBlank()) {
            return new TargetServer(url, env("COUCHDB_USER"), env("COUCHDB_PASSWORD"), "CouchDB at " + url, null);
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

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null ? "" : value;
    }
}
