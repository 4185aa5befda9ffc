package io.couchwork.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.ibm.cloud.cloudant.v1.model.DeleteDatabaseOptions;
import com.ibm.cloud.cloudant.v1.model.PutDatabaseOptions;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbClients;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.token.NewTokens;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fresh databases for benchmark runs on one server, each dropped at the end: reached at {@code url} (the server, or a
 * server-cost proxy in front of it), dropped through {@code directUrl} (the server itself, when the proxy is gone).
 */
final class BenchDatabase {

    private final String url;
    private final String directUrl;
    private final String user;
    private final String password;
    private int counter;
    private final List<String> finished = new ArrayList<>();

    BenchDatabase(String url, String user, String password) {
        this(url, url, user, password);
    }

    BenchDatabase(String url, String directUrl, String user, String password) {
        this.url = url;
        this.directUrl = directUrl;
        this.user = user;
        this.password = password;
    }

    /** The same server reached at another URL (a proxy in front of it); drops go to the server itself. */
    BenchDatabase through(String proxyUrl) {
        return new BenchDatabase(proxyUrl, directUrl, user, password);
    }

    Map<String, String> properties(String database) {
        return CouchDbSettings.properties(url, user, password, database);
    }

    CouchDatabase create(String purpose) {
        String name = "couchwork_bench_" + purpose + "_" + System.currentTimeMillis() + "_" + (counter++);
        CouchDatabase database = CouchDatabase.connect(CouchDbSettings.read(properties(name)));
        database.client().putDatabase(new PutDatabaseOptions.Builder(name).build()).execute();
        return database;
    }

    /**
     * Marks a run's database for deletion at the end of the benchmark: deleting a database while a stopped worker's
     * longpoll on it is still pending crashes PouchDB Server.
     */
    synchronized void drop(CouchDatabase database) {
        finished.add(database.name());
    }

    /** Drops the databases of this and of every {@link #through} view of it marked so far. */
    void dropAll(List<BenchDatabase> others) {
        List<String> names = new ArrayList<>(finished);
        finished.clear();
        for (BenchDatabase other : others) {
            synchronized (other) {
                names.addAll(other.finished);
                other.finished.clear();
            }
        }
        var client = CouchDbClients.create(CouchDbSettings.read(CouchDbSettings.properties(directUrl, user, password,
                "couchwork")));
        for (String name : names) {
            try {
                client.deleteDatabase(new DeleteDatabaseOptions.Builder(name).build()).execute();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
    }

    static void fill(CouchDatabase database, int tokens) {
        NewTokens factory = new NewTokens("token", Clock.systemUTC());
        for (int start = 0; start < tokens; start += 500) {
            List<ObjectNode> batch = new ArrayList<>();
            for (int i = start; i < Math.min(tokens, start + 500); i++) {
                batch.add(factory.token(TextNode.valueOf("item-" + i), 0));
            }
            database.bulkWrite(batch);
        }
    }
}
