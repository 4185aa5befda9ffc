package io.couchwork.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.ViewQuery;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.token.DesignDocuments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PiCaS client's loop, faithfully: read Monitor/todo with limit 100, take a random row, GET the token, PUT it
 * locked (a 409 means retry), run the job's shell command through {@code /bin/sh -c} (as PiCaS's
 * {@code execute(shell=True)} does), PUT it done with the exit code (a 409 loses the result, as PiCaS does); one token
 * at a time per thread (threads stand for PiCaS worker processes), and 10 s of polling when the view is empty (here:
 * the pool is drained).
 */
final class PicasBaseline {

    record Result(int threads, int tokens, double tokensPerSecond, long executions, long conflicts, long duplicates,
            long lostResults, RunsLog.Check runs) {}

    static Result run(BenchDatabase databases, int tokens, int threads) throws Exception {
        CouchDatabase db = databases.create("picas");
        Path directory = Files.createTempDirectory("couchwork-bench-picas-");
        try {
            RunsLog runsLog = new RunsLog(directory);
            ShellJob job = new ShellJob(runsLog.command());
            new DesignDocuments(db).ensureViews("Monitor", io.couchwork.token.TokenViews.picasViews("token"));
            BenchDatabase.fill(db, tokens);
            db.view("Monitor", "todo", ViewQuery.range(null, null).limit(1)); // build the index before timing
            AtomicLong executions = new AtomicLong();
            AtomicLong conflicts = new AtomicLong();
            AtomicLong lost = new AtomicLong();
            ConcurrentHashMap<String, Integer> runs = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                pool.execute(() -> loop(db, job, executions, conflicts, lost, runs));
            }
            pool.shutdown();
            pool.awaitTermination(30, TimeUnit.MINUTES);
            double seconds = RawServerBench.seconds(t0);
            long duplicates = runs.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
            return new Result(threads, tokens, runs.size() / seconds, executions.get(), conflicts.get(), duplicates,
                    lost.get(), runsLog.check());
        } finally {
            databases.drop(db);
            BenchHome.delete(directory);
        }
    }

    private static void loop(CouchDatabase db, ShellJob job, AtomicLong executions, AtomicLong conflicts,
            AtomicLong lost, ConcurrentHashMap<String, Integer> runs) {
        while (true) {
            List<JsonNode> rows = db.view("Monitor", "todo", ViewQuery.range(null, null).limit(100));
            if (rows.isEmpty()) {
                return; // PiCaS would poll every 10 s here; the pool is drained
            }
            String id = rows.get(ThreadLocalRandom.current().nextInt(rows.size())).path("id").asText();
            Optional<ObjectNode> doc = db.get(id);
            if (doc.isEmpty()) {
                continue;
            }
            ObjectNode token = doc.get();
            token.put("lock", System.currentTimeMillis() / 1000);
            token.put("hostname", "bench");
            WriteResult locked = db.put(token); // no re-check of the document: PiCaS's double runs come from here
            if (!locked.ok()) {
                conflicts.incrementAndGet();
                continue;
            }
            executions.incrementAndGet();
            runs.merge(id, 1, Integer::sum);
            int exitCode;
            try {
                exitCode = job.run(token);
            } catch (java.io.IOException e) {
                exitCode = 127;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            token.put("_rev", locked.rev());
            token.put("done", System.currentTimeMillis() / 1000);
            token.put("exit_code", exitCode);
            token.put("output", "ok");
            if (!db.put(token).ok()) {
                lost.incrementAndGet();
            }
        }
    }

    private PicasBaseline() {}
}
