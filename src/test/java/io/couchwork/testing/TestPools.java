package io.couchwork.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.token.NewTokens;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Token pools and worker settings shared by the pool, monitoring and reliability tests. */
public final class TestPools {

    private TestPools() {}

    /** Writes {@code count} new todo tokens (inputs "item-0", "item-1", ...) in _bulk_docs batches. */
    public static CouchDatabase fill(TestCouch couch, String db, int count) {
        CouchDatabase database = couch.database(db);
        NewTokens factory = new NewTokens("token", Clock.systemUTC());
        for (int start = 0; start < count; start += 1000) {
            List<ObjectNode> docs = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + 1000); i++) {
                docs.add(factory.token(TextNode.valueOf("item-" + i), 0));
            }
            if (!database.bulkWrite(docs).stream().allMatch(r -> r.ok())) {
                throw new IllegalStateException("tokens not written");
            }
        }
        return database;
    }

    /**
     * A worker's settings with quick polls, reaps and retries (2 parallel jobs, 2 prefetched), running {@code command}
     * (null: the configured default).
     */
    public static Map<String, String> workerSettings(TestCouch couch, String db, String command) {
        Map<String, String> settings = couch.properties(db);
        if (command != null) {
            settings.put("couchwork.exec.command", command);
        }
        settings.put("couchwork.pool.concurrency", "2");
        settings.put("couchwork.pool.prefetch", "2");
        settings.put("couchwork.pool.poll-interval", "1s");
        settings.put("couchwork.pool.reap-interval", "1s");
        settings.put("couchwork.pool.retry-delay", "1s");
        settings.put("couchwork.pool.max-retry-delay", "2s");
        settings.put("couchwork.report.interval", "1h");
        return settings;
    }
}
