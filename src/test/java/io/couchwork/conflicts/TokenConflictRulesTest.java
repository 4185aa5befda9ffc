package io.couchwork.conflicts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The deterministic resolution of a token's conflicting revisions. */
class TokenConflictRulesTest {

    static ObjectNode token(String rev, long lock, long done, Integer exitCode) {
        return token(lock, done, exitCode).put("_rev", rev);
    }

    /** Token t1 without a revision, as a client writes it. */
    static ObjectNode token(long lock, long done, Integer exitCode) {
        ObjectNode doc = Json.object();
        doc.put("_id", "t1");
        doc.put("type", "token");
        doc.put("lock", lock);
        doc.put("done", done);
        if (exitCode != null) {
            doc.put("exit_code", exitCode);
        }
        return doc;
    }

    static ObjectNode withRun(ObjectNode doc, String claimId, long started, long ended, String outcome) {
        ObjectNode run = doc.withArray("runs").addObject();
        run.put("claim_id", claimId);
        run.put("worker_id", "w-" + claimId);
        run.put("started", started);
        run.put("ended", ended);
        run.put("outcome", outcome);
        return doc;
    }

    private static ConflictResolution resolve(ObjectNode... leaves) {
        return TokenConflictRules.resolve(List.of(leaves)).orElseThrow();
    }

    @Test
    void should_keep_a_finished_revision_over_a_locked_one_that_couchdb_shows_as_winner() {
        ObjectNode done = token("3-aaaa", 100, 200, 0);
        ObjectNode locked = token("5-ffff", 150, 0, null); // higher generation: CouchDB's winner

        ConflictResolution r = resolve(locked, done);

        assertThat(r.keptRev()).isEqualTo("3-aaaa");
        assertThat(r.losingRevs()).containsExactly("5-ffff");
        assertThat(r.keptChanged()).isFalse();
        assertThat(r.writes()).hasSize(1);
        assertThat(r.writes().get(0).path("_deleted").asBoolean()).isTrue();
        assertThat(r.rule()).contains("finished beats locked");
    }

    @Test
    void should_keep_an_error_over_todo_and_locked_over_todo() {
        assertThat(resolve(token("4-bbbb", 0, 0, null), token("3-aaaa", 100, 200, 1)).keptRev()).isEqualTo("3-aaaa");
        assertThat(resolve(token("4-bbbb", 0, 0, null), token("3-aaaa", 100, 0, null)).keptRev()).isEqualTo("3-aaaa");
    }

    @Test
    void should_keep_the_later_done_between_two_finished_revisions_and_record_the_other_run_as_a_duplicate() {
        ObjectNode early = withRun(token("4-ffff", 100, 200, 0), "a", 100, 200, "done");
        ObjectNode late = withRun(token("3-aaaa", 110, 250, 0), "b", 110, 250, "done");

        ConflictResolution r = resolve(early, late);

        assertThat(r.keptRev()).isEqualTo("3-aaaa");
        assertThat(r.rule()).contains("the later done");
        assertThat(r.keptChanged()).isTrue();
        assertThat(r.duplicates()).isEqualTo(1);
        JsonNode runs = r.kept().path("runs");
        assertThat(runs).hasSize(2);
        assertThat(runs.get(0).path("claim_id").asText()).isEqualTo("a");
        assertThat(runs.get(0).path("duplicate").asBoolean()).isTrue();
        assertThat(runs.get(1).has("duplicate")).isFalse();
        assertThat(r.kept().path("duplicate_executions").asLong()).isEqualTo(1);
        assertThat(r.kept().path("_rev").asText()).isEqualTo("3-aaaa");
        assertThat(r.writes()).hasSize(2); // the merge on the kept leaf, the loser's tombstone
    }

    @Test
    void should_merge_runs_once_each_when_leaves_share_their_history() {
        ObjectNode a = withRun(withRun(token("4-aaaa", 300, 400, 0), "c0", 10, 20, "retry"), "a", 300, 400, "done");
        ObjectNode b = withRun(withRun(token("4-bbbb", 300, 0, null), "c0", 10, 20, "retry"), "b", 290, 310,
                "lease expired");

        ConflictResolution r = resolve(a, b);

        assertThat(r.keptRev()).isEqualTo("4-aaaa");
        assertThat(r.kept().path("runs")).extracting(run -> run.path("claim_id").asText())
                .containsExactly("c0", "b", "a");
        assertThat(r.duplicates()).isZero(); // a lease that expired brought no result
        assertThat(r.kept().has("duplicate_executions")).isFalse();
    }

    @Test
    void should_carry_duplicates_counted_on_either_branch() {
        ObjectNode a = withRun(token("6-aaaa", 300, 400, 0), "a", 300, 400, "done");
        a.put("duplicate_executions", 2);
        ObjectNode b = withRun(token("5-bbbb", 300, 350, 0), "b", 300, 350, "done");
        ((ObjectNode) b.path("runs").get(0)).put("duplicate", true);
        b.put("duplicate_executions", 1);

        ConflictResolution r = resolve(a, b);

        assertThat(r.duplicates()).isZero(); // b's run was counted where it was recorded
        assertThat(r.kept().path("duplicate_executions").asLong()).isEqualTo(3);
    }

    @Test
    void should_leave_ties_to_couchdbs_winner() {
        ConflictResolution r = resolve(token("3-aaaa", 0, 0, null), token("3-bbbb", 0, 0, null),
                token("2-ffff", 0, 0, null));

        assertThat(r.keptRev()).isEqualTo("3-bbbb");
        assertThat(r.losingRevs()).containsExactly("3-aaaa", "2-ffff");
        assertThat(r.rule()).contains("CouchDB's winner");
    }

    @Test
    void should_resolve_the_same_way_whatever_order_the_leaves_come_in() {
        List<ObjectNode> leaves = new ArrayList<>(List.of(
                withRun(token("4-aaaa", 100, 300, 0), "a", 100, 300, "done"),
                withRun(token("7-bbbb", 100, 300, 0), "b", 100, 300, "done"),
                withRun(token("9-cccc", 120, 0, null), "c", 100, 110, "retry"),
                token("2-dddd", 0, 0, null)));
        ConflictResolution first = TokenConflictRules.resolve(leaves).orElseThrow();
        Random random = new Random(3);
        for (int i = 0; i < 10; i++) {
            Collections.shuffle(leaves, random);
            ConflictResolution again = TokenConflictRules.resolve(leaves).orElseThrow();
            assertThat(again.writes()).isEqualTo(first.writes());
        }
        assertThat(first.keptRev()).isEqualTo("7-bbbb"); // same done time: CouchDB's winner among the finished
        assertThat(first.duplicates()).isEqualTo(2); // a's done and c's retry ran on losing branches
    }

    @Test
    void should_merge_picas_error_lists() {
        ObjectNode a = token("3-aaaa", 100, 200, 1);
        a.withArray("error").addObject().put("time", 150).put("message", "on a");
        ObjectNode b = token("3-bbbb", 0, 0, null);
        b.withArray("error").addObject().put("time", 120).put("message", "on b");

        ConflictResolution r = resolve(a, b);

        assertThat(r.kept().path("error")).extracting(e -> e.path("message").asText()).containsExactly("on b", "on a");
    }

    @Test
    void should_see_no_conflict_in_a_single_leaf_even_when_it_is_listed_twice() {
        assertThat(TokenConflictRules.resolve(List.of(token("1-a", 0, 0, null)))).isEmpty();
        // PouchDB Server lists a document's own revision in _conflicts when two clients wrote the same revision
        assertThat(TokenConflictRules.resolve(List.of(token("3-a", 1, 2, 0), token("3-a", 1, 2, 0)))).isEmpty();
        ObjectNode own = token("3-a", 1, 2, 0);
        own.putArray("_conflicts").add("3-a");
        assertThat(io.couchwork.token.ConflictedDocuments.isConflicted(own)).isFalse();
    }
}
