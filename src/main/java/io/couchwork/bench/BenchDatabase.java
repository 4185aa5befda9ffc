package io.couchwork.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.ibm.cloud.cloudant.v1.model.DeleteDatabaseOptions;
import com.ibm.cloud.cloudant.v1.model.PutDatabaseOptions;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.token.NewTokens;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Fresh databases for benchmark runs on one server, each dropped after use. */
final class BenchDatabase {

    private final String url;
    private final String user;
    private final String password;
    private int counter;
    private final List<CouchDatabase> finished = new ArrayList<>();

    BenchDatabase(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
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
    void drop(CouchDatabase database) {
        finished.add(database);
    }

    void dropAll() {
        for (CouchDatabase database : finished) {
            try {
                database.client().deleteDatabase(new DeleteDatabaseOptions.Builder(database.name()).build()).execute();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        finished.clear();
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
