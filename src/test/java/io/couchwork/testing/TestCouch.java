package io.couchwork.testing;

import com.ibm.cloud.cloudant.v1.Cloudant;
import com.ibm.cloud.cloudant.v1.model.DeleteDatabaseOptions;
import com.ibm.cloud.cloudant.v1.model.PutDatabaseOptions;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbClients;
import io.couchwork.couchdb.CouchDbSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The CouchDB-API server of the test run, with a fresh database per test, deleted after it. */
public final class TestCouch {

    private final String url;
    private final String user;
    private final String password;
    private final boolean bundled;
    private final List<String> databases = new ArrayList<>();

    TestCouch(String url, String user, String password, boolean bundled) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.bundled = bundled;
    }

    /** A server of the test's own (a second bundled one, say), in admin party. */
    public static TestCouch forUrl(String url) {
        return new TestCouch(url, "", "", true);
    }

    /** A server of the test's own that needs credentials (an AuthServer's). */
    public static TestCouch withCredentials(String url, String user, String password) {
        return new TestCouch(url, user, password, true);
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

    /** True when the tests run on the bundled PouchDB Server, false against COUCHDB_URL. */
    public boolean isBundled() {
        return bundled;
    }

    /** A unique database name, not yet created, deleted after the test if it was. */
    public String newDatabaseName() {
        String name = "cw_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        databases.add(name);
        return name;
    }

    /** A new, empty database for this test. */
    public String createDatabase() {
        String name = newDatabaseName();
        client().putDatabase(new PutDatabaseOptions.Builder(name).build()).execute();
        return name;
    }

    /** The Couchwork properties that point the app at this server and the given database. */
    public Map<String, String> properties(String database) {
        return CouchDbSettings.properties(url, user, password, database);
    }

    public CouchDbSettings settings(String database) {
        return CouchDbSettings.read(properties(database));
    }

    /** Couchwork's view of one of this server's databases. */
    public CouchDatabase database(String database) {
        return CouchDatabase.connect(settings(database));
    }

    public Cloudant client() {
        return CouchDbClients.create(settings("couchwork"));
    }

    void deleteDatabases() {
        Cloudant client = client();
        for (String name : databases) {
            try {
                client.deleteDatabase(new DeleteDatabaseOptions.Builder(name).build()).execute();
            } catch (RuntimeException notCreated) {
                // the test never created it
            }
        }
        databases.clear();
    }
}
