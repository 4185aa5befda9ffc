package io.couchwork.cli.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.testing.ConflictFixtures;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.TestCouch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** couchwork tokens conflicts: lists conflicted documents, resolves them (or only shows how, with --dry-run). */
@ExtendWith(CouchDbServerExtension.class)
class TokensConflictsCommandIT {

    private static ObjectNode token(String id, long lock, long done) {
        ObjectNode doc = Json.object().put("_id", id).put("type", "token").put("lock", lock).put("done", done);
        if (done > 0) {
            doc.put("exit_code", 0);
        }
        return doc;
    }

    private static ObjectNode withRun(ObjectNode doc, String claimId, long ended) {
        doc.withArray("runs").addObject().put("claim_id", claimId).put("started", 100).put("ended", ended)
                .put("outcome", "done");
        return doc;
    }

    @Test
    void should_list_then_resolve_conflicted_tokens_and_leave_other_documents_alone(TestCouch couch) {
        String db = couch.createDatabase();
        CouchDatabase database = couch.database(db);
        ConflictFixtures branches = new ConflictFixtures(couch, db);
        String base1 = database.put(token("t1", 0, 0)).rev();
        branches.branch(base1, withRun(token("t1", 100, 200), "a", 200), "a", 1);
        branches.branch(base1, withRun(token("t1", 100, 300), "b", 300), "b", 1);
        String base2 = database.put(token("t2", 0, 0)).rev();
        String done = branches.branch(base2, withRun(token("t2", 100, 200), "c", 200), "c", 1);
        branches.branch(base2, token("t2", 150, 0), "d", 5);
        String base3 = database.put(Json.object().put("_id", "note").put("text", "x")).rev();
        branches.branch(base3, Json.object().put("_id", "note").put("text", "y"), "y", 1);
        branches.branch(base3, Json.object().put("_id", "note").put("text", "z"), "z", 1);
        database.put(token("t3", 0, 0));

        Cli.Result listed = Cli.on(couch, db).run("tokens", "conflicts");

        assertThat(listed.code()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("t1  token, 2 revisions: kept done").contains("(the later done)")
                .contains("1 duplicate execution(s) recorded")
                .contains("t2  token, 2 revisions: kept done " + done).contains("finished beats locked")
                .contains("note  other, 2 revisions: left alone").contains("3 conflicted documents")
                .doesNotContain("t3");

        Cli.Result dry = Cli.on(couch, db).run("tokens", "conflicts", "--resolve", "--dry-run");

        assertThat(dry.out()).contains("Dry run: would resolve 2 documents, deleting 2 losing revisions");
        assertThat(branches.withConflicts("t1").has("_conflicts")).isTrue();

        Cli.Result resolved = Cli.on(couch, db).run("tokens", "conflicts", "--resolve");

        assertThat(resolved.out()).contains("Resolved 2 of 3 conflicted documents (1 duplicate executions recorded")
                .contains("1 left alone");
        assertThat(resolved.code()).isEqualTo(1); // the note is still conflicted
        JsonNode t1 = branches.withConflicts("t1");
        assertThat(t1.has("_conflicts")).isFalse();
        assertThat(t1.path("done").asLong()).isEqualTo(300);
        assertThat(t1.path("runs")).extracting(r -> r.path("claim_id").asText()).containsExactly("a", "b");
        assertThat(t1.path("duplicate_executions").asLong()).isEqualTo(1);
        JsonNode t2 = branches.withConflicts("t2");
        assertThat(t2.has("_conflicts")).isFalse();
        assertThat(t2.path("_rev").asText()).isEqualTo(done);
        assertThat(branches.withConflicts("note").has("_conflicts")).isTrue();

        Cli.Result again = Cli.on(couch, db).run("tokens", "conflicts");
        assertThat(again.out()).contains("1 conflicted documents").doesNotContain("t1").doesNotContain("t2");
    }
}
