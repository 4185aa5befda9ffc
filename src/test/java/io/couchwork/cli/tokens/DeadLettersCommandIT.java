package io.couchwork.cli.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.TestCouch;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** couchwork dead-letters against the test server, on dead letters as flow/DeadLetters records and parks them. */
@ExtendWith(CouchDbServerExtension.class)
class DeadLettersCommandIT {

    private static final long NOW = Instant.now().getEpochSecond();

    @Test
    void should_list_show_and_requeue_dead_letters(TestCouch couch) {
        String db = parked(couch);
        Cli cli = Cli.on(couch, db);

        Cli.Result list = cli.run("dead-letters", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out().lines()).hasSize(2);
        assertThat(list.out()).contains("dead_letter_1_a").contains("device-1 (device, new)").contains("HTTP 500");

        Cli.Result show = cli.run("dead-letters", "show", "dead_letter_1_a");
        assertThat(show.code()).isZero();
        assertThat(show.out()).contains("\"doc_id\" : \"device-1\"");
        assertThat(cli.run("dead-letters", "show", "device-1").err()).contains("No dead letter 'device-1'");

        Cli.Result requeue = cli.run("dead-letters", "requeue", "dead_letter_1_a", "dead_letter_nope");
        assertThat(requeue.code()).isEqualTo(1);
        assertThat(requeue.out()).contains("Re-queued 1 of 2").contains("failed: dead_letter_nope");
        CouchDatabase database = couch.database(db);
        assertThat(database.get("device-1").orElseThrow().path("state").asText()).isEqualTo("new");
        assertThat(database.get("device-1").orElseThrow().has("dead_letter")).isFalse();

        Cli.Result all = cli.run("dead-letters", "requeue", "--all");
        assertThat(all.code()).isZero();
        assertThat(all.out()).contains("Re-queued 1 of 1");
        assertThat(database.get("device-2").orElseThrow().path("state").asText()).isEqualTo("confirming");
        assertThat(cli.run("dead-letters", "list").out()).contains("No dead letters");
        assertThat(cli.run("dead-letters", "requeue").err()).contains("Give dead-letter ids or --all");
    }

    @Test
    void should_purge_dead_letters_older_than_a_duration_after_confirmation(TestCouch couch) {
        String db = parked(couch);
        Cli cli = Cli.on(couch, db);

        Cli.Result refused = cli.run("dead-letters", "purge");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("Refusing to delete 2 dead letters");

        Cli.Result dryRun = cli.run("dead-letters", "purge", "--older-than", "1d", "--dry-run");
        assertThat(dryRun.out()).contains("dead_letter_1_a: delete").contains("would delete 1 dead letters");
        assertThat(couch.database(db).get("dead_letter_1_a")).isPresent();

        Cli.Result purged = cli.run("dead-letters", "purge", "--older-than", "1d", "--yes");
        assertThat(purged.code()).as(purged.err()).isZero();
        assertThat(purged.out()).contains("1 ok, 0 conflicts, 0 failed");
        assertThat(couch.database(db).get("dead_letter_1_a")).isEmpty();
        assertThat(couch.database(db).get("dead_letter_2_b")).isPresent();
    }

    /** Two parked documents with their dead letters: one two days old, one a minute old. */
    private static String parked(TestCouch couch) {
        String db = couch.createDatabase();
        couch.database(db).bulkWrite(List.of(
                letter("dead_letter_1_a", "device-1", "new", NOW - 2 * 86400),
                parkedDoc("device-1", "new", "dead_letter_1_a"),
                letter("dead_letter_2_b", "device-2", "confirming", NOW - 60),
                parkedDoc("device-2", "confirming", "dead_letter_2_b"))).forEach(r -> assertThat(r.ok()).isTrue());
        return db;
    }

    private static ObjectNode letter(String id, String docId, String state, long time) {
        ObjectNode letter = Json.object();
        letter.put("_id", id);
        letter.put("type", "dead_letter");
        letter.put("doc_id", docId);
        letter.put("doc_type", "device");
        letter.put("state", state);
        letter.put("route", "sendDeviceConfirmations");
        letter.put("cause", "HTTP 500: mail server down");
        letter.put("attempts", 4);
        letter.put("time", time);
        return letter;
    }

    private static ObjectNode parkedDoc(String id, String previousState, String letterId) {
        ObjectNode doc = Json.object();
        doc.put("_id", id);
        doc.put("type", "device");
        doc.put("state", "dead_letter");
        ObjectNode marker = doc.putObject("dead_letter");
        marker.put("id", letterId);
        marker.put("previous_state", previousState);
        return doc;
    }
}
