package io.couchwork.reliability;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.metrics.PoolMetrics;
import io.couchwork.testing.ReplicaPair;
import io.couchwork.token.DesignDocuments;
import io.couchwork.token.WorkerPresence;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of one pool, a worker on each, linked by replication rounds that can be cut: with the same backlog of
 * tokens on both sides, replication is cut for a short and then a longer time while both workers run, then restored.
 * Every token must end done once in the winning revision on both replicas, every execution in its token's runs, and
 * every execution beyond the one applied recorded as a duplicate; the report sets the duplicates against the cut's
 * length.
 */
class ReplicaPartitionScenario {

    private static final int BACKLOG = 200;
    private static final Duration JOB = Duration.ofMillis(50);
    private static final Duration SETTLE = Duration.ofMinutes(1);
    private static final List<Duration> CUTS = List.of(Duration.ofSeconds(2), Duration.ofSeconds(8));

    private record Round(Duration cut, int tokens, long executions, long duplicates, boolean settled,
            boolean recorded, String problem) {}

    @Test
    void duplicates_from_a_partition_are_bounded_by_its_length_and_all_recorded() throws Exception {
        List<Round> rounds = new ArrayList<>();
        ReplicaPair.LinkRounds link;
        try (ReplicaPair pair = new ReplicaPair()) {
            new DesignDocuments(pair.a).installFor(List.of("token"));
            pair.link();
            await().atMost(SETTLE).until(() -> pair.b.get("_design/couchwork_queue").isPresent()
                    && pair.b.get("_design/couchwork").isPresent() && pair.b.get("_design/Monitor").isPresent());
            pair.worker(pair.a, "worker-a", new PoolMetrics(new SimpleMeterRegistry()), JOB);
            pair.worker(pair.b, "worker-b", new PoolMetrics(new SimpleMeterRegistry()), JOB);
            List<String> presences = List.of(WorkerPresence.ID_PREFIX + "worker-a",
                    WorkerPresence.ID_PREFIX + "worker-b");
            await().atMost(SETTLE).until(() -> pair.a.getAll(presences).size() == 2
                    && pair.b.getAll(presences).size() == 2); // each knows the other before any cut
            int round = 0;
            for (Duration cut : CUTS) {
                rounds.add(round(pair, "r" + (++round) + "-", cut));
            }
            link = pair.linkRounds();
        }
        Checks checks = new Checks();
        for (Round r : rounds) {
            String name = "cut of " + r.cut().toSeconds() + " s";
            checks.check(name + ": every token done once in the winning revision on both replicas, no conflict left",
                    r.settled(), r.tokens() + " tokens");
            checks.check(name + ": every execution in its token's runs, every extra one marked and counted as duplicate",
                    r.recorded() && r.duplicates() == r.executions() - r.tokens(),
                    r.executions() + " executions, " + r.duplicates() + " duplicates"
                            + (r.problem() == null ? "" : ": " + r.problem()));
        }
        StringBuilder table = new StringBuilder("| cut | tokens on both sides | executions | duplicates recorded |"
                + " duplicates per second of cut |\n|---|---|---|---|---|\n");
        for (Round r : rounds) {
            table.append(String.format("| %d s | %d | %d | %d | %.1f |%n", r.cut().toSeconds(), r.tokens(),
                    r.executions(), r.duplicates(), r.duplicates() / (double) r.cut().toSeconds()));
        }
        ReliabilityReport.section(70, "Replicas cut apart", String.format("""
                Two bundled servers hold one pool and replicate to each other in one-shot, incremental replication
                rounds both ways, %d ms apart (%d rounds in all, %s; a round carries all that changed since the last,
                and the longest took %.1f s); a token worker (2 slots, %d ms jobs) runs on each. PouchDB Server
                can neither cancel a continuous replication nor survive a proxy cutting it, so the rounds stand for it:
                continuous replication is itself incremental rounds from a checkpoint. In each round of the scenario
                %d new tokens are written to one replica, and once the other has them too, replication is cut: no new
                round starts and the one in flight is let finish. Both workers keep running through the cut; then the
                rounds start again.

                %s
                %s
                A token both sides ran during the cut conflicts once replication is back; the workers resolve it the
                same way on both replicas (the finished revision wins, every run is kept), so the cost of a partition
                is duplicate executions, bounded by what both sides can run before they hear of each other again and
                recorded in the tokens' runs and `duplicate_executions`, never a lost result. Both workers knew each
                other before the cut (their presence documents had crossed), so each first took its own share of the
                backlog (ClaimShares) and turned to the other's, running it a second time, only once its own was done:
                a cut shorter than a worker's time to drain its own share (about %d tokens, two %d ms jobs at a time:
                %.1f s at best) costs nothing, a longer one up to the whole backlog a second time. The partition
                outlasts the cut: until the first round after it has carried each side's results across (the whole
                cut's writes), both still work blind. So a cut that ends about when the shares run out, as the short
                one here, can still cost a few duplicates.
                """, ReplicaPair.LINK_PAUSE.toMillis(), link.rounds(),
                link.failed() + " failed" + (link.lastFailure() == null ? "" : ", the last with " + link.lastFailure()),
                link.longest().toMillis() / 1000.0, JOB.toMillis(), BACKLOG,
                checks.markdown(), table, BACKLOG / 2, JOB.toMillis(), BACKLOG / 2 * JOB.toMillis() / 2 / 1000.0));
        checks.assertAllPassed();
    }

    private static boolean recorded(ReplicaPair pair, List<String> ids) {
        try {
            pair.checkRecorded(pair.a, ids);
            pair.checkRecorded(pair.b, ids);
            return true;
        } catch (AssertionError notYet) {
            return false;
        }
    }

    private static Round round(ReplicaPair pair, String prefix, Duration cut) throws InterruptedException {
        List<ObjectNode> docs = ReplicaPair.tokens(prefix, BACKLOG);
        List<String> ids = docs.stream().map(d -> d.path("_id").asText()).toList();
        long before = pair.executionCount();
        pair.a.bulkWrite(docs);
        await().atMost(SETTLE).until(() -> pair.b.getAll(ids).size() == ids.size());
        pair.cut();
        Thread.sleep(cut.toMillis()); // the partition itself: its length is the variable measured, not a wait for state
        pair.link();
        boolean settled;
        try {
            // settled, with every execution's run on both sides: a job that lost to the other side writes its run
            // after its token already looks settled, and that run still has to be replicated
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                    .until(() -> pair.settled(ids) && recorded(pair, ids));
            settled = true;
        } catch (ConditionTimeoutException e) {
            settled = pair.settled(ids); // the checks below say what is missing
        }
        long executions = ids.stream().mapToLong(id -> pair.executions().getOrDefault(id, Set.of()).size()).sum();
        String problem = null;
        long duplicates = -1;
        try {
            duplicates = pair.checkRecorded(pair.a, ids);
            pair.checkRecorded(pair.b, ids);
        } catch (AssertionError e) {
            problem = e.getMessage();
        }
        return new Round(cut, ids.size(), executions, duplicates, settled, problem == null
                && executions >= ids.size() && pair.executionCount() - before == executions, problem);
    }
}
