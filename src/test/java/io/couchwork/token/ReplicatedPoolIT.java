package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.devserver.BundledCouchServer;
import io.couchwork.metrics.PoolMetrics;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.TestCouch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One pool on two bundled servers that replicate continuously to each other (both directions), a worker attached to
 * each: every token ends done in the winning revision on both, no execution's result is lost, and every token that
 * ran on both sides shows it in its runs and duplicate_executions.
 */
class ReplicatedPoolIT {

    private static final String DB = "pool";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, Set<String>> executions = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private CouchDatabase server() {
        BundledCouchServer server = CouchDbServerExtension.startBundledServer(BundledCouchServer.Options.inMemory());
        open.add(server);
        TestCouch couch = TestCouch.forUrl(server.url());
        send("PUT", server.url() + "/" + DB, null);
        return CouchDatabase.connect(couch.settings(DB));
    }

    private JsonNode send(String method, String url, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body)).build();
            return Json.MAPPER.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Continuous replication both ways, each server pulling from the other, as two CouchDB replicas would be set up. */
    private void replicateBothWays(CouchDatabase a, CouchDatabase b) {
        for (CouchDatabase[] pair : List.of(new CouchDatabase[] {a, b}, new CouchDatabase[] {b, a})) {
            String body = "{\"source\":\"" + pair[0].serverUrl() + "/" + DB + "\",\"target\":\"" + pair[1].serverUrl()
                    + "/" + DB + "\",\"continuous\":true}";
            assertThat(send("POST", pair[1].serverUrl() + "/_replicate", body).path("ok").asBoolean())
                    .as("replication %s -> %s", pair[0].serverUrl(), pair[1].serverUrl()).isTrue();
        }
    }

    private TokenWorker worker(CouchDatabase db, String id, PoolMetrics metrics) {
        WorkerSettings settings = new WorkerSettings(id, List.of("token"), 2, Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMillis(20), Duration.ZERO,
                Duration.ofSeconds(5), 5, RetryPolicy.of(3, Duration.ofSeconds(1), Duration.ofMinutes(1), Set.of()),
                0, 10, true);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
        Job job = token -> {
            Thread.sleep(20);
            executions.computeIfAbsent(token.id(), k -> ConcurrentHashMap.newKeySet()).add(token.claimId());
            return new Outcome.Finished(0, TextNode.valueOf("ran " + token.id()), List.of(), null);
        };
        TokenWorker worker = new TokenWorker(db, new WorkerIdentity("host-" + id, id, Map.of()), Clock.systemUTC(),
                settings, job, Executors.newFixedThreadPool(2), PeriodicTasks.on(scheduler), metrics);
        worker.resolveConflictsWith(new io.couchwork.conflicts.TokenConflictHandler(db, Clock.systemUTC()));
        worker.start();
        open.add(scheduler::shutdownNow);
        open.add(worker::stop);
        return worker;
    }

    private static List<ObjectNode> tokens(int count) {
        NewTokens factory = new NewTokens("token", Clock.fixed(java.time.Instant.parse("2026-11-23T10:00:00Z"),
                java.time.ZoneOffset.UTC));
        return IntStream.range(0, count).mapToObj(i -> {
            ObjectNode doc = factory.token(TextNode.valueOf("input " + i), 0);
            doc.put("_id", String.format("t%03d", i));
            return doc;
        }).toList();
    }

    private static Map<String, JsonNode> withConflicts(CouchDatabase db, List<String> ids) {
        Map<String, JsonNode> byId = new HashMap<>();
        db.getAllWithConflicts(ids).forEach(doc -> byId.put(doc.path("_id").asText(), doc));
        return byId;
    }

    /** Every token done in its winning revision, without conflicts, the same revision on both servers. */
    private static boolean settled(CouchDatabase a, CouchDatabase b, List<String> ids) {
        Map<String, JsonNode> onA = withConflicts(a, ids);
        Map<String, JsonNode> onB = withConflicts(b, ids);
        return ids.stream().allMatch(id -> {
            JsonNode x = onA.get(id);
            JsonNode y = onB.get(id);
            return x != null && y != null && !x.has("_conflicts") && !y.has("_conflicts")
                    && TokenState.of(x) == TokenState.DONE && x.path("_rev").equals(y.path("_rev"));
        });
    }

    private static long executedRuns(JsonNode token) {
        long count = 0;
        for (JsonNode run : token.path("runs")) {
            String outcome = run.path("outcome").asText();
            if (outcome.equals("done") || outcome.equals(HeldTokens.SUPERSEDED) && run.has("exit_code")) {
                count++;
            }
        }
        return count;
    }

    /** Every execution's claim is in the token's runs; every run beyond the applied one is counted as a duplicate. */
    private long checkRecorded(CouchDatabase db, List<String> ids) {
        long duplicates = 0;
        for (JsonNode token : withConflicts(db, ids).values()) {
            String id = token.path("_id").asText();
            Set<String> claims = new java.util.HashSet<>(token.path("runs").findValuesAsText("claim_id"));
            assertThat(claims).as("runs of %s", id).containsAll(executions.getOrDefault(id, Set.of()));
            long counted = token.path("duplicate_executions").asLong(0);
            assertThat(executedRuns(token) - 1).as("duplicates of %s: %s", id, token.path("runs")).isEqualTo(counted);
            long marked = 0;
            for (JsonNode run : token.path("runs")) {
                marked += run.path("duplicate").asBoolean(false) ? 1 : 0;
            }
            assertThat(marked).as("runs marked duplicate in %s", id).isEqualTo(counted);
            duplicates += counted;
        }
        return duplicates;
    }

    @Test
    void a_worker_on_each_replica_drains_one_pool_and_records_every_duplicate() {
        CouchDatabase a = server();
        CouchDatabase b = server();
        new DesignDocuments(a).installFor(List.of("token"));
        replicateBothWays(a, b);
        await().atMost(WAIT).until(() -> b.get("_design/couchwork_queue").isPresent()
                && b.get("_design/couchwork").isPresent() && b.get("_design/Monitor").isPresent());
        PoolMetrics metricsA = new PoolMetrics(new SimpleMeterRegistry());
        PoolMetrics metricsB = new PoolMetrics(new SimpleMeterRegistry());
        worker(a, "worker-a", metricsA);
        worker(b, "worker-b", metricsB);
        List<ObjectNode> docs = tokens(60);
        List<String> ids = docs.stream().map(d -> d.path("_id").asText()).toList();

        a.bulkWrite(docs); // pushed to one replica only: the other worker picks them up as replication brings them

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> settled(a, b, ids));
        assertThat(executions.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        long duplicates = checkRecorded(a, ids);
        long executed = executions.values().stream().mapToLong(Set::size).sum();
        assertThat(duplicates).isLessThanOrEqualTo(executed - ids.size());
        System.out.printf("%d tokens, %d executions, %d duplicates recorded%n", ids.size(), executed, duplicates);
        Set<String> ranOnB = new java.util.HashSet<>();
        withConflicts(a, ids).values().forEach(t -> t.path("runs").forEach(r -> {
            if (r.path("worker_id").asText().equals("worker-b")) {
                ranOnB.add(t.path("_id").asText());
            }
        }));
        assertThat(ranOnB).as("tokens the worker on the other replica ran").isNotEmpty();
    }

    @Test
    void after_a_partition_heals_every_token_both_sides_ran_is_done_once_with_both_runs() {
        CouchDatabase a = server();
        CouchDatabase b = server();
        List<ObjectNode> docs = tokens(20);
        List<String> ids = docs.stream().map(d -> d.path("_id").asText()).toList();
        new DesignDocuments(a).installFor(List.of("token"));
        new DesignDocuments(b).installFor(List.of("token"));
        a.bulkWrite(docs); // the same tokens on both sides, as replication had brought them before the partition
        b.bulkWrite(docs);
        PoolMetrics metricsA = new PoolMetrics(new SimpleMeterRegistry());
        PoolMetrics metricsB = new PoolMetrics(new SimpleMeterRegistry());
        worker(a, "worker-a", metricsA);
        worker(b, "worker-b", metricsB);
        await().atMost(WAIT).until(() -> executions.size() == ids.size()
                && executions.values().stream().allMatch(claims -> claims.size() == 2));

        replicateBothWays(a, b); // the partition heals

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> settled(a, b, ids));
        assertThat(checkRecorded(a, ids)).isEqualTo(ids.size());
        assertThat(checkRecorded(b, ids)).isEqualTo(ids.size());
        double counted = metricsA.registry().counter("couchwork.duplicate.executions", "pool", "worker-a").count()
                + metricsB.registry().counter("couchwork.duplicate.executions", "pool", "worker-b").count();
        assertThat(counted).as("duplicates the workers found (each may find one the other found too)")
                .isBetween((double) ids.size(), 2.0 * ids.size());
    }
}
