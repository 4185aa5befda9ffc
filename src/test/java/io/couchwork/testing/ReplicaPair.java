package io.couchwork.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.conflicts.TokenConflictHandler;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.devserver.BundledCouchServer;
import io.couchwork.metrics.PoolMetrics;
import io.couchwork.token.HeldTokens;
import io.couchwork.token.Job;
import io.couchwork.token.NewTokens;
import io.couchwork.token.Outcome;
import io.couchwork.token.PeriodicTasks;
import io.couchwork.token.RetryPolicy;
import io.couchwork.token.TokenState;
import io.couchwork.token.TokenWorker;
import io.couchwork.token.WorkerIdentity;
import io.couchwork.token.WorkerSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.IntStream;

/**
 * One pool on two bundled servers, as two CouchDB replicas, with in-process token workers attached to either side;
 * records each job's execution (token id, claim id) to check the tokens' runs against.
 */
public final class ReplicaPair implements AutoCloseable {

    public static final String DB = "pool";
    /** The pause between two rounds of the link's replication. */
    public static final Duration LINK_PAUSE = Duration.ofMillis(150);

    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, Set<String>> executions = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Link link;
    public final CouchDatabase a;
    public final CouchDatabase b;

    public ReplicaPair() {
        a = server();
        b = server();
    }

    private CouchDatabase server() {
        BundledCouchServer server = CouchDbServerExtension.startBundledServer(BundledCouchServer.Options.inMemory());
        open.add(server);
        send("PUT", server.url() + "/" + DB, null);
        return CouchDatabase.connect(TestCouch.forUrl(server.url()).settings(DB));
    }

    /** Each job's claims, by token id. */
    public Map<String, Set<String>> executions() {
        return executions;
    }

    public long executionCount() {
        return executions.values().stream().mapToLong(Set::size).sum();
    }

    /** Continuous replication both ways, each server pulling from the other, as two CouchDB replicas would be set up. */
    public void replicateBothWays() {
        replicate(a.serverUrl(), b);
        replicate(b.serverUrl(), a);
    }

    /** Continuous replication into {@code target} from {@code sourceServerUrl} (the other side, or a proxy before it). */
    public void replicate(String sourceServerUrl, CouchDatabase target) {
        String body = "{\"source\":\"" + sourceServerUrl + "/" + DB + "\",\"target\":\"" + target.serverUrl() + "/" + DB
                + "\",\"continuous\":true}";
        assertThat(send("POST", target.serverUrl() + "/_replicate", body).path("ok").asBoolean())
                .as("replication %s -> %s", sourceServerUrl, target.serverUrl()).isTrue();
    }

    /** Starts the cuttable replication link both ways, or restores it after {@link #cut()}. */
    public void link() {
        if (link == null) {
            link = new Link();
            open.add(link);
        }
        link.connect();
    }

    /**
     * Cuts the link: no replication round starts after this returns, and the one in flight, if any, has ended, so
     * that neither side learns anything of the other until {@link #link()}.
     */
    public void cut() throws InterruptedException {
        if (link != null) {
            link.cut();
        }
    }

    /** Replication rounds the link ran, how many of those failed, the longest one, and the last failure. */
    public record LinkRounds(long rounds, long failed, Duration longest, String lastFailure) {}

    public LinkRounds linkRounds() {
        return link == null ? new LinkRounds(0, 0, Duration.ZERO, null) : link.counts();
    }

    /** A worker on {@code db} with 2 slots whose job takes {@code jobTime} and records its execution. */
    public TokenWorker worker(CouchDatabase db, String id, PoolMetrics metrics, Duration jobTime) {
        WorkerSettings settings = new WorkerSettings(id, List.of("token"), 2, Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMillis(20), Duration.ZERO,
                Duration.ofSeconds(5), 5, RetryPolicy.of(3, Duration.ofSeconds(1), Duration.ofMinutes(1), Set.of()),
                0, 10, true);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
        Job job = token -> {
            Thread.sleep(jobTime.toMillis());
            executions.computeIfAbsent(token.id(), k -> ConcurrentHashMap.newKeySet()).add(token.claimId());
            return new Outcome.Finished(0, TextNode.valueOf("ran " + token.id()), List.of(), null);
        };
        TokenWorker worker = new TokenWorker(db, new WorkerIdentity("host-" + id, id, Map.of()), Clock.systemUTC(),
                settings, job, Executors.newFixedThreadPool(2), PeriodicTasks.on(scheduler), metrics);
        worker.resolveConflictsWith(new TokenConflictHandler(db, Clock.systemUTC()));
        worker.start();
        open.add(scheduler::shutdownNow);
        open.add(worker::stop);
        return worker;
    }

    /** {@code count} new todo tokens with ids {@code prefix000}, {@code prefix001}, ... */
    public static List<ObjectNode> tokens(String prefix, int count) {
        NewTokens factory = new NewTokens("token", Clock.fixed(java.time.Instant.parse("2026-11-23T10:00:00Z"),
                java.time.ZoneOffset.UTC));
        return IntStream.range(0, count).mapToObj(i -> {
            ObjectNode doc = factory.token(TextNode.valueOf("input " + i), 0);
            doc.put("_id", String.format("%s%03d", prefix, i));
            return doc;
        }).toList();
    }

    public static Map<String, JsonNode> withConflicts(CouchDatabase db, List<String> ids) {
        Map<String, JsonNode> byId = new HashMap<>();
        db.getAllWithConflicts(ids).forEach(doc -> byId.put(doc.path("_id").asText(), doc));
        return byId;
    }

    /** Every token done in its winning revision, without conflicts, the same revision on both servers. */
    public boolean settled(List<String> ids) {
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

    /**
     * Asserts that every execution's claim is in its token's runs and every run beyond the applied one is counted and
     * marked as a duplicate; returns the duplicates counted.
     */
    public long checkRecorded(CouchDatabase db, List<String> ids) {
        long duplicates = 0;
        for (JsonNode token : withConflicts(db, ids).values()) {
            String id = token.path("_id").asText();
            Set<String> claims = new HashSet<>(token.path("runs").findValuesAsText("claim_id"));
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

    /** One-shot replication into {@code target} from the other replica: answers once it has copied what it saw. */
    private JsonNode replicateOnce(CouchDatabase source, CouchDatabase target) {
        String body = "{\"source\":\"" + source.serverUrl() + "/" + DB + "\",\"target\":\"" + target.serverUrl()
                + "/" + DB + "\"}";
        return send("POST", target.serverUrl() + "/_replicate", body);
    }

    /**
     * Replication both ways in one-shot rounds, a short pause apart, which can be cut and restored. PouchDB Server
     * cannot cancel a continuous replication (its {@code POST /_replicate} has no {@code cancel}) and its continuous
     * replicator dies when a proxy cuts it; but continuous replication is itself a series of incremental rounds, and
     * PouchDB checkpoints one-shot replications the same way, so each round only carries what changed since the last.
     */
    private final class Link implements AutoCloseable {

        private final Thread thread = new Thread(this::run, "replica-link");
        private boolean connected;
        private boolean inFlight;
        private boolean closed;
        private long rounds;
        private long failed;
        private Duration longest = Duration.ZERO;
        private String lastFailure;

        Link() {
            thread.setDaemon(true);
            thread.start();
        }

        synchronized void connect() {
            connected = true;
            notifyAll();
        }

        synchronized void cut() throws InterruptedException {
            connected = false;
            while (inFlight) {
                wait();
            }
        }

        private void run() {
            try {
                while (awaitConnected()) {
                    String failure = null;
                    long start = System.nanoTime();
                    try {
                        for (JsonNode answer : List.of(replicateOnce(a, b), replicateOnce(b, a))) {
                            failure = answer.path("ok").asBoolean() ? failure : answer.toString();
                        }
                    } catch (RuntimeException e) {
                        failure = e.toString();
                    } finally {
                        roundEnded(failure, Duration.ofNanos(System.nanoTime() - start));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits out the pause between rounds and any cut; false once closed. */
        private synchronized boolean awaitConnected() throws InterruptedException {
            if (rounds > 0) {
                wait(LINK_PAUSE.toMillis()); // pacing between rounds, as a continuous replicator polls its source
            }
            while (!connected && !closed) {
                wait();
            }
            inFlight = !closed;
            return !closed;
        }

        private synchronized void roundEnded(String failure, Duration took) {
            inFlight = false;
            rounds++;
            longest = took.compareTo(longest) > 0 ? took : longest;
            if (failure != null) {
                failed++;
                lastFailure = failure;
            }
            notifyAll();
        }

        synchronized LinkRounds counts() {
            return new LinkRounds(rounds, failed, longest, lastFailure);
        }

        @Override
        public void close() throws InterruptedException {
            cut();
            synchronized (this) {
                closed = true;
                notifyAll();
            }
            thread.join();
        }
    }

    private JsonNode send(String method, String url, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                    .header("Content-Type", "application/json")
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

    @Override
    public void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }
}
