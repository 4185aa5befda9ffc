package io.couchwork.cli.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** couchwork views against the test server: GRID_LRT-style views next to PiCaS's, which are never touched. */
@ExtendWith(CouchDbServerExtension.class)
class ViewsCommandIT {

    @TempDir
    Path dir;

    @Test
    void should_add_list_and_delete_a_view_of_a_token_set(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        Path tokens = Files.writeString(dir.resolve("t.csv"), "input,cores\na,1\nb,4\nc,4\n");
        Cli cli = Cli.on(couch, db);
        assertThat(cli.run("load", tokens.toString(), "--set", "lofar").code()).isZero();

        Cli.Result added = cli.run("views", "add", "multicore", "doc.cores == 4", "--set", "lofar");
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.out()).contains("Added view 'multicore' to _design/lofar");

        Cli.Result list = cli.run("views", "list", "--set", "lofar");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("multicore +2 rows\\n")
                .containsPattern("todo +3 rows +\\(PiCaS\\)")
                .containsPattern("done +0 rows +\\(PiCaS\\)");

        String revision = design(couch, db).path("_rev").asText();
        Cli.Result same = cli.run("views", "add", "multicore", "doc.cores == 4", "--set", "lofar");
        assertThat(same.out()).contains("already exactly this; nothing written");
        assertThat(design(couch, db).path("_rev").asText()).as("an equal design document is not rewritten")
                .isEqualTo(revision);

        Cli.Result deleted = cli.run("views", "delete", "multicore", "--set", "lofar");
        assertThat(deleted.code()).isZero();
        assertThat(design(couch, db).path("views").has("multicore")).isFalse();
        assertThat(design(couch, db).path("views").has("todo")).isTrue();
        assertThat(cli.run("views", "delete", "multicore", "--set", "lofar").code()).isEqualTo(1);
    }

    @Test
    void should_never_replace_or_delete_picas_views(TestCouch couch) {
        String db = couch.createDatabase();
        Cli cli = Cli.on(couch, db);

        Cli.Result add = cli.run("views", "add", "todo", "doc.cores == 4");
        assertThat(add.code()).isEqualTo(2);
        assertThat(add.err().lines()).containsExactly(
                "couchwork: View 'todo' is one of PiCaS's views in _design/Monitor; choose another name");
        Cli.Result delete = cli.run("views", "delete", "overview_total");
        assertThat(delete.code()).isEqualTo(2);
        assertThat(delete.err()).contains("is one of PiCaS's views");
        assertThat(cli.run("views", "add", "bad name", "true").err()).contains("View name 'bad name'");
    }

    @Test
    void should_refuse_a_broken_condition_and_leave_the_design_document_as_it_was(TestCouch couch)
            throws IOException {
        String db = couch.createDatabase();
        Cli cli = Cli.on(couch, db);
        assertThat(cli.run("load", Files.writeString(dir.resolve("t.txt"), "a\n").toString()).code()).isZero();
        JsonNode before = design(couch, db, "Monitor");

        Cli.Result result = cli.run("views", "add", "broken", "doc.cores == (");

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err().lines()).containsExactly("couchwork: Invalid condition doc.cores == (: '(' is not closed");
        JsonNode after = design(couch, db, "Monitor");
        assertThat(after.path("views")).isEqualTo(before.path("views"));
    }

    private static JsonNode design(TestCouch couch, String db) {
        return design(couch, db, "lofar");
    }

    private static JsonNode design(TestCouch couch, String db, String name) {
        return couch.database(db).get("_design/" + name).orElseThrow();
    }
}
