package io.couchwork.cli.tokens;

import io.couchwork.cli.AppOptions;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.ops.PoolConnection;
import java.time.Duration;
import picocli.CommandLine.Mixin;

/** The app's configuration (--config, -D, environment) and the database it names, for the operators' commands. */
public final class ConnectionOptions {

    private static final String WAIT_FOR_SERVER = CouchDbSettings.PREFIX + "wait-for-server";

    @Mixin
    AppOptions app;

    /** The database, checked; a server that is down fails at once unless -D couchwork.couchdb.wait-for-server is given. */
    public CouchDatabase open(boolean mayCreate) {
        CouchDbSettings settings = app.couchDbSettings();
        Duration wait = app.overrides(WAIT_FOR_SERVER) ? settings.waitForServer() : Duration.ZERO;
        return PoolConnection.open(settings, wait, mayCreate);
    }
}
