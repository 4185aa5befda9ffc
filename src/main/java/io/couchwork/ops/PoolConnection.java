package io.couchwork.ops;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbClients;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.couchdb.StartupCheck;
import com.ibm.cloud.cloudant.v1.Cloudant;
import java.time.Clock;
import java.time.Duration;

/** Opens the database an operator's command works on, after one check that the server, user and database are there. */
public final class PoolConnection {

    private PoolConnection() {}

    /**
     * The database of these settings. An operator's command does not wait for a server that is down unless told to
     * (the app's wait-for-server is meant for workers); it creates a missing database only when {@code mayCreate}.
     */
    public static CouchDatabase open(CouchDbSettings settings, Duration waitForServer, boolean mayCreate) {
        CouchDbSettings checked = new CouchDbSettings(settings.url(), settings.user(), settings.password(),
                settings.database(), mayCreate && settings.createDatabase(), waitForServer, settings.connectTimeout(),
                settings.readTimeout(), settings.maxRetries(), settings.credentialsSource());
        Cloudant client = CouchDbClients.create(checked);
        new StartupCheck(client, checked, Clock.systemUTC()).awaitReady();
        return new CouchDatabase(client, checked);
    }
}
