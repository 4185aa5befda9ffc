package io.couchwork.conflicts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.status.PoolStatus;
import io.couchwork.status.PoolStatusReader;
import io.couchwork.status.StatusJson;
import io.couchwork.status.StatusTable;
import io.couchwork.testing.ConflictFixtures;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.MutableClock;
import io.couchwork.testing.TestCouch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Conflicts written as replication writes them (new_edits: false), resolved against the real server, rule by rule. */
@ExtendWith(CouchDbServerExtension.class)
class ConflictResolverIT {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

    private record Fixture(CouchDatabase db, ConflictFixtures branches, ConflictResolver resolver) {

        /** A token written normally, then two branches under its first revision; returns the base revision. */
        String base(ObjectNode doc) {
            return db.put(doc).rev();
        }

        List<ConflictResolver.Written> resolve(String id) {
            return resolver.resolve(db.getAllWithConflicts(List.of(id)));
        }

        JsonNode after(String id) {
            JsonNode doc = branches.withConflicts(id);
            assertThat(doc.has("_conflicts")).as("conflicts left on %s: %s", id, doc).isFalse();
            return doc;
        }
    }

    private Fixture fixture(TestCouch couch, FlowDefinitions flows) {
        String name = couch.createDatabase();
        CouchDatabase db = CouchDatabase.connect(couch.settings(name));
        return new Fixture(db, new ConflictFixtures(couch, name), new ConflictResolver(db, flows, clock));
    }

    private static ObjectNode token(long lock, long done, Integer exitCode) {
        return TokenConflictRulesTest.token(lock, done, exitCode);
    }

    private static ObjectNode run(ObjectNode doc, String claimId, long started, long ended, String outcome) {
        doc.withArray("runs").addObject().put("claim_id", claimId).put("started", started).put("ended", ended)
                .put("outcome", outcome);
        return doc;
    }

    @Test
    void should_keep_a_done_revision_that_a_deeper_locked_branch_hides(TestCouch couch) {
        Fixture f = fixture(couch, FlowDefinitions.none());
        String base = f.base(token(0, 0, null));
        String done = f.branches().branch(base, run(token(100, 200, 0), "a", 100, 200, "done"), "done-a", 2);
        String locked = f.branches().branch(base, token(150, 0, null).put("claim_id", "b"), "locked-b", 4);
        assertThat(f.branches().withConflicts("t1").path("_rev").asText()).isEqualTo(locked); // CouchDB's winner
        assertThat(f.branches().withConflicts("t1").path("_conflicts")).hasSize(1);

        List<ConflictResolver.Written> written = f.resolve("t1");

        assertThat(written).singleElement().satisfies(w -> assertThat(w.resolved()).isTrue());
        JsonNode after = f.after("t1");
        assertThat(after.path("_rev").asText()).isEqualTo(done);
        assertThat(after.path("done").asLong()).isEqualTo(200);
        assertThat(f.resolve("t1")).isEmpty(); // nothing left to resolve
    }

    @Test
    void should_keep_a_locked_revision_over_todo(TestCouch couch) {
        Fixture f = fixture(couch, FlowDefinitions.none());
        String base = f.base(token(0, 0, null));
        f.branches().branch(base, token(0, 0, null).put("scrub_count", 1), "todo", 3);
        String locked = f.branches().branch(base, token(150, 0, null).put("claim_id", "b"), "locked", 1);

        f.resolve("t1");

        assertThat(f.after("t1").path("_rev").asText()).isEqualTo(locked);
    }

    @Test
    void should_keep_the_later_done_with_both_runs_and_count_the_duplicate(TestCouch couch) {
        Fixture f = fixture(couch, FlowDefinitions.none());
        String base = f.base(run(token(0, 0, null), "c0", 10, 20, "retry"));
        f.branches().branch(base, run(run(token(100, 200, 0), "c0", 10, 20, "retry"), "a", 100, 200, "done"), "a", 3);
        String later = f.branches().branch(base, run(run(token(110, 260, 0), "c0", 10, 20, "retry"), "b", 110, 260,
                "done"), "b", 2);

        List<ConflictResolver.Written> written = f.resolve("t1");

        assertThat(written.get(0).resolution().duplicates()).isEqualTo(1);
        JsonNode after = f.after("t1");
        assertThat(after.path("done").asLong()).isEqualTo(260);
        assertThat(after.path("_rev").asText()).startsWith("4-"); // the merge, written on the later done's leaf
        assertThat(after.path("_rev").asText()).isNotEqualTo(later);
        assertThat(after.path("runs")).extracting(r -> r.path("claim_id").asText()).containsExactly("c0", "a", "b");
        assertThat(after.path("runs").get(1).path("duplicate").asBoolean()).isTrue();
        assertThat(after.path("duplicate_executions").asLong()).isEqualTo(1);
        PoolStatus status = new PoolStatusReader(f.db(), clock).read();
        assertThat(status.sets()).singleElement().satisfies(set -> assertThat(set.duplicateExecutions()).isEqualTo(1));
        assertThat(StatusTable.render(status)).contains("Duplicate executions (recorded in the tokens' runs): token 1");
        assertThat(StatusJson.write(status)).contains("\"duplicate_executions\":1");
    }

    @Test
    void should_keep_an_error_over_todo_and_merge_picas_errors(TestCouch couch) {
        Fixture f = fixture(couch, FlowDefinitions.none());
        String base = f.base(token(0, 0, null));
        ObjectNode error = token(100, 200, 3);
        error.withArray("error").addObject().put("time", 200).put("message", "exit code 3");
        f.branches().branch(base, error, "error", 1);
        ObjectNode todo = token(0, 0, null);
        todo.withArray("error").addObject().put("time", 150).put("message", "exit code 1");
        f.branches().branch(base, todo, "todo", 2);

        f.resolve("t1");

        JsonNode after = f.after("t1");
        assertThat(after.path("exit_code").asInt()).isEqualTo(3);
        assertThat(after.path("error")).extracting(e -> e.path("message").asText())
                .containsExactly("exit code 1", "exit code 3");
    }

    @Test
    void should_keep_the_flow_state_furthest_along_or_dead_letter_an_undecidable_one(TestCouch couch,
            @TempDir Path flowsDir) throws Exception {
        Files.writeString(flowsDir.resolve("devices.yaml"), """
                flow: devices
                types: [device]
                states: [new, confirming, confirmed, active]
                initial: new
                terminal: [active]
                transitions:
                  new: [confirming]
                  confirming: [confirmed]
                  confirmed: [active]
                """);
        Fixture f = fixture(couch, FlowDefinitions.load(flowsDir));
        ObjectNode d1 = Json.object().put("_id", "d1").put("type", "device").put("state", "new");
        String base1 = f.base(d1);
        String confirmed = f.branches().branch(base1, d1.deepCopy().put("state", "confirmed"), "confirmed", 1);
        f.branches().branch(base1, d1.deepCopy().put("state", "confirming"), "confirming", 3);
        ObjectNode d2 = Json.object().put("_id", "d2").put("type", "device").put("state", "new");
        String base2 = f.base(d2);
        f.branches().branch(base2, d2.deepCopy().put("state", "confirming").put("code", "111"), "x", 1);
        f.branches().branch(base2, d2.deepCopy().put("state", "confirming").put("code", "222"), "y", 1);

        List<ConflictResolver.Written> written = f.resolver().resolve(f.db().getAllWithConflicts(List.of("d1", "d2")));

        assertThat(written).allSatisfy(w -> assertThat(w.resolved()).as(w.problem()).isTrue());
        assertThat(f.after("d1").path("_rev").asText()).isEqualTo(confirmed);
        JsonNode parked = f.after("d2");
        assertThat(parked.path("state").asText()).isEqualTo("dead_letter");
        assertThat(parked.path("dead_letter").path("previous_state").asText()).isEqualTo("confirming");
        JsonNode letter = f.db().get(parked.path("dead_letter").path("id").asText()).orElseThrow();
        assertThat(letter.path("doc_id").asText()).isEqualTo("d2");
        assertThat(letter.path("conflicting_revisions")).extracting(l -> l.path("code").asText())
                .containsExactlyInAnyOrder("111", "222");
    }
}
