package io.couchwork.couchdb;

import com.ibm.cloud.cloudant.v1.Cloudant;
import com.ibm.cloud.cloudant.v1.model.DatabaseInformation;
import com.ibm.cloud.cloudant.v1.model.GetDatabaseInformationOptions;

/** One CouchDB database reached through the Cloudant SDK: the seam between Couchwork and the server. */
public class CouchDatabase {

    private final Cloudant client;
    private final CouchDbSettings settings;

    public CouchDatabase(Cloudant client, CouchDbSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    public Cloudant client() {
        return client;
    }

    public String name() {
        return settings.database();
    }

    public String serverUrl() {
        return settings.displayUrl();
    }

    public DatabaseInformation info() {
        return client.getDatabaseInformation(new GetDatabaseInformationOptions.Builder(name()).build())
                .execute()
                .getResult();
    }

    @Override
    public String toString() {
        return "database '" + name() + "' at " + serverUrl();
    }
}
