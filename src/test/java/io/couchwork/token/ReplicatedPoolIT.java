package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.metrics.PoolMetrics;
import io.couchwork.testing.ReplicaPair;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One pool on two bundled servers that replicate continuously to each other (both directions), a worker attached to
 * each: every token ends done in the winning revision on both, no execution's result is lost, and every token that
 * ran on both sides shows it in its runs and duplicate_executions.
 */
class ReplicatedPoolIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration JOB = Duration.ofMillis(20);

    private final ReplicaPair pair = new ReplicaPair();

    @AfterEach
    void close() throws Exception {
        pair.close();
    }

    @Test
    void a_worker_on_each_replica_drains_one_pool_and_records_every_duplicate() {
        new DesignDocuments(pair.a).installFor(List.of("token"));
        pair.replicateBothWays();
        await().atMost(WAIT).until(() -> pair.b.get("_design/couchwork_queue").isPresent()
                && pair.b.get("_design/couchwork").isPresent() && pair.b.get("_design/Monitor").isPresent());
        pair.worker(pair.a, "worker-a", new PoolMetrics(new SimpleMeterRegistry()), JOB);
        pair.worker(pair.b, "worker-b", new PoolMetrics(new SimpleMeterRegistry()), JOB);
        List<ObjectNode> docs = ReplicaPair.tokens("t", 60);
        List<String> ids = docs.stream().map(d -> d.path("_id").asText()).toList();

        pair.a.bulkWrite(docs); // pushed to one replica only: the other worker picks them up as replication brings them

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> pair.settled(ids));
        assertThat(pair.executions().keySet()).containsExactlyInAnyOrderElementsOf(ids);
        long duplicates = pair.checkRecorded(pair.a, ids);
        assertThat(duplicates).isLessThanOrEqualTo(pair.executionCount() - ids.size());
        Set<String> ranOnB = new HashSet<>();
        ReplicaPair.withConflicts(pair.a, ids).values().forEach(t -> t.path("runs").forEach(r -> {
            if (r.path("worker_id").asText().equals("worker-b")) {
                ranOnB.add(t.path("_id").asText());
            }
        }));
        assertThat(ranOnB).as("tokens the worker on the other replica ran").isNotEmpty();
    }

    @Test
    void after_a_partition_heals_every_token_both_sides_ran_is_done_once_with_both_runs() {
        List<ObjectNode> docs = ReplicaPair.tokens("t", 20);
        List<String> ids = docs.stream().map(d -> d.path("_id").asText()).toList();
        new DesignDocuments(pair.a).installFor(List.of("token"));
        new DesignDocuments(pair.b).installFor(List.of("token"));
        pair.a.bulkWrite(docs); // the same tokens on both sides, as replication had brought them before the partition
        pair.b.bulkWrite(docs);
        PoolMetrics metricsA = new PoolMetrics(new SimpleMeterRegistry());
        PoolMetrics metricsB = new PoolMetrics(new SimpleMeterRegistry());
        pair.worker(pair.a, "worker-a", metricsA, JOB);
        pair.worker(pair.b, "worker-b", metricsB, JOB);
        await().atMost(WAIT).until(() -> pair.executions().size() == ids.size()
                && pair.executions().values().stream().allMatch(claims -> claims.size() == 2));

        pair.replicateBothWays(); // the partition heals

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> pair.settled(ids));
        assertThat(pair.checkRecorded(pair.a, ids)).isEqualTo(ids.size());
        assertThat(pair.checkRecorded(pair.b, ids)).isEqualTo(ids.size());
        double counted = metricsA.registry().counter("couchwork.duplicate.executions", "pool", "worker-a").count()
                + metricsB.registry().counter("couchwork.duplicate.executions", "pool", "worker-b").count();
        assertThat(counted).as("duplicates the workers found (each may find one the other found too)")
                .isBetween((double) ids.size(), 2.0 * ids.size());
    }
}
