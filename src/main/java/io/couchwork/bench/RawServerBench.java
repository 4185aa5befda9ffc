package io.couchwork.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ibm.cloud.cloudant.v1.model.PostChangesOptions;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The server alone: sequential single-document writes, _bulk_docs throughput, and _changes longpoll wake-up. */
final class RawServerBench {

    record Result(double singleWritesPerSecond, double bulkDocsPerSecond, Percentiles longpollWakeUp,
            double indexMillisPerDoc) {}

    static Result run(BenchDatabase databases, int singleWrites, int bulkDocs, int wakeUps) throws Exception {
        CouchDatabase db = databases.create("raw");
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < singleWrites; i++) {
                db.put(doc());
            }
            double single = singleWrites / seconds(t0);

            long t1 = System.nanoTime();
            for (int start = 0; start < bulkDocs; start += 100) {
                List<ObjectNode> batch = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    batch.add(doc());
                }
                db.bulkWrite(batch);
            }
            double bulk = bulkDocs / seconds(t1);

            // what a view costs the server per changed document: build one over the bulk-written documents
            ObjectNode view = Json.object();
            view.put("map", "function (doc) { if (doc.type === 'bench') emit([doc.type, doc.lock], null); }");
            new io.couchwork.token.DesignDocuments(db).ensureViews("bench", java.util.Map.of("by_lock", view));
            long t2 = System.nanoTime();
            db.view("bench", "by_lock", io.couchwork.couchdb.ViewQuery.range(null, null).limit(1));
            double indexPerDoc = (System.nanoTime() - t2) / 1e6 / (bulkDocs + singleWrites);

            Percentiles wake = new Percentiles();
            for (int i = 0; i < wakeUps; i++) {
                String since = lastSeq(db);
                CompletableFuture<Long> woke = CompletableFuture.supplyAsync(() -> {
                    Json.read(db.client().postChangesAsStream(new PostChangesOptions.Builder(db.name())
                            .feed("longpoll").since(since).timeout(30_000L).build()).execute().getResult(), JsonNode.class);
                    return System.nanoTime();
                });
                Thread.sleep(20); // let the longpoll request reach the server first
                long written = System.nanoTime();
                db.put(doc());
                wake.add((woke.get(30, TimeUnit.SECONDS) - written) / 1e6);
            }
            return new Result(single, bulk, wake, indexPerDoc);
        } finally {
            databases.drop(db);
        }
    }

    private static String lastSeq(CouchDatabase db) {
        return db.info().getUpdateSeq(); // opaque, only handed back as since
    }

    /** About 200 bytes, like a small token. */
    static ObjectNode doc() {
        ObjectNode doc = Json.object();
        doc.put("_id", UUID.randomUUID().toString());
        doc.put("type", "bench");
        doc.put("lock", 0);
        doc.put("done", 0);
        doc.put("input", "gsiftp://storage.example.org/data/observation/subband-042.tar");
        doc.put("hostname", "");
        doc.put("scrub_count", 0);
        return doc;
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
