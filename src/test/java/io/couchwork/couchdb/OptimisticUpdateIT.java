package io.couchwork.couchdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.OptimisticUpdate.Decision;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The read-modify-write helper against the real server, with a plain HTTP client as the other writer. */
@ExtendWith(CouchDbServerExtension.class)
class OptimisticUpdateIT {

    /** The real database, counting the reads and writes of single documents. */
    private static class CountingDatabase extends CouchDatabase {
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();

        CountingDatabase(CouchDbSettings settings) {
            super(CouchDbClients.create(settings), settings);
        }

        @Override
        public Optional<ObjectNode> get(String id) {
            reads.incrementAndGet();
            return super.get(id);
        }

        @Override
        public WriteResult put(ObjectNode doc) {
            writes.incrementAndGet();
            return super.put(doc);
        }
    }

    @Test
    void should_retry_a_write_another_writer_beat_and_keep_both_changes(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp other = new PlainHttp(couch, db);
        other.put("d1", "{\"colour\":\"red\"}");
        CountingDatabase database = new CountingDatabase(couch.settings(db));
        AtomicInteger decisions = new AtomicInteger();

        ObjectNode written = new OptimisticUpdate(database).update("d1", current -> {
            if (decisions.incrementAndGet() == 1) {
                // another writer saves between our read and our write
                ObjectNode theirs = current.orElseThrow().deepCopy();
                theirs.put("size", "L");
                other.put("d1", theirs.toString());
            }
            ObjectNode ours = current.orElseThrow().deepCopy();
            ours.put("colour", "blue");
            return Decision.write(ours, ours);
        });

        JsonNode saved = other.doc("d1");
        assertThat(saved.path("colour").asText()).isEqualTo("blue");
        assertThat(saved.path("size").asText()).isEqualTo("L");
        assertThat(saved.path("_rev").asText()).startsWith("3-").isEqualTo(written.path("_rev").asText());
        assertThat(decisions).hasValue(2);
        assertThat(database.writes).hasValue(2);
        assertThat(database.reads).hasValue(2);
    }

    @Test
    void should_write_nothing_when_the_decision_keeps_the_document(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp other = new PlainHttp(couch, db);
        String rev = other.put("d1", "{\"colour\":\"red\"}").path("rev").asText();
        CountingDatabase database = new CountingDatabase(couch.settings(db));

        String result = new OptimisticUpdate(database).update("d1", current -> Decision.keep("already red"));

        assertThat(result).isEqualTo("already red");
        assertThat(other.doc("d1").path("_rev").asText()).isEqualTo(rev);
        assertThat(database.writes).hasValue(0);
    }

    @Test
    void should_give_up_naming_the_document_when_every_write_conflicts(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp other = new PlainHttp(couch, db);
        other.put("busy", "{\"edits\":0}");
        CountingDatabase database = new CountingDatabase(couch.settings(db));
        OptimisticUpdate update = new OptimisticUpdate(database, 3);

        assertThatThrownBy(() -> update.update("busy", current -> {
            ObjectNode theirs = current.orElseThrow().deepCopy();
            theirs.put("edits", theirs.path("edits").asInt() + 1);
            other.put("busy", theirs.toString());
            ObjectNode ours = current.orElseThrow().deepCopy();
            ours.put("mine", true);
            return Decision.write(ours, true);
        })).isInstanceOfSatisfying(DocumentKeptChangingException.class, e -> {
            assertThat(e.id()).isEqualTo("busy");
            assertThat(e.writes()).isEqualTo(3);
        }).hasMessageContaining("busy");

        assertThat(database.writes).hasValue(3);
        JsonNode saved = other.doc("busy");
        assertThat(saved.has("mine")).isFalse();
        // decided once more after the third conflict: the document still needed a write
        assertThat(saved.path("edits").asInt()).isEqualTo(4);
    }

    @Test
    void should_end_without_a_write_when_a_conflict_shows_nothing_is_left_to_write(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp other = new PlainHttp(couch, db);
        other.put("d1", "{\"colour\":\"red\"}");
        CountingDatabase database = new CountingDatabase(couch.settings(db));
        AtomicInteger decisions = new AtomicInteger();

        String result = new OptimisticUpdate(database, 1).update("d1", current -> {
            if (current.orElseThrow().path("colour").asText().equals("blue")) {
                return Decision.keep("blue already");
            }
            if (decisions.incrementAndGet() == 1) {
                ObjectNode theirs = current.get().deepCopy();
                theirs.put("colour", "blue");
                other.put("d1", theirs.toString());
            }
            ObjectNode ours = current.get().deepCopy();
            ours.put("colour", "blue");
            return Decision.write(ours, "made blue");
        });

        assertThat(result).isEqualTo("blue already");
        assertThat(database.writes).hasValue(1);
        assertThat(other.doc("d1").path("_rev").asText()).startsWith("2-");
    }

    @Test
    void should_create_a_document_that_does_not_exist(TestCouch couch) {
        String db = couch.createDatabase();
        CountingDatabase database = new CountingDatabase(couch.settings(db));

        boolean created = new OptimisticUpdate(database).update("fresh", current -> {
            if (current.isPresent()) {
                return Decision.keep(false);
            }
            ObjectNode doc = Json.object();
            doc.put("_id", "fresh");
            doc.put("colour", "green");
            return Decision.write(doc, true);
        });

        assertThat(created).isTrue();
        assertThat(new PlainHttp(couch, db).doc("fresh").path("colour").asText()).isEqualTo("green");
    }

    @Test
    void should_start_from_a_revision_in_hand_and_read_only_after_a_conflict(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp other = new PlainHttp(couch, db);
        other.put("d1", "{\"colour\":\"red\"}");
        CountingDatabase database = new CountingDatabase(couch.settings(db));
        OptimisticUpdate update = new OptimisticUpdate(database);
        ObjectNode inHand = database.get("d1").orElseThrow();
        database.reads.set(0);

        update.update(inHand, current -> Decision.write(withSize(current.orElseThrow(), "S"), true));
        assertThat(database.reads).hasValue(0);

        // the revision in hand is stale now: one conflict, one read
        update.update(inHand, current -> Decision.write(withSize(current.orElseThrow(), "M"), true));
        assertThat(database.reads).hasValue(1);
        assertThat(database.writes).hasValue(3);
        assertThat(other.doc("d1").path("size").asText()).isEqualTo("M");
        assertThat(inHand.has("size")).isFalse();
    }

    @Test
    void should_not_retry_a_write_the_server_refuses_for_another_reason(TestCouch couch) {
        String db = couch.createDatabase();
        new PlainHttp(couch, db).put("d1", "{\"colour\":\"red\"}");
        CountingDatabase refusing = new CountingDatabase(couch.settings(db)) {
            @Override
            public WriteResult put(ObjectNode doc) {
                writes.incrementAndGet();
                return new WriteResult(doc.path("_id").asText(), null, "forbidden", "only admins may paint");
            }
        };

        assertThatThrownBy(() -> new OptimisticUpdate(refusing).update("d1",
                current -> Decision.write(withSize(current.orElseThrow(), "S"), true)))
                .isInstanceOf(DocumentRejectedException.class)
                .hasMessage("Cannot write d1: forbidden only admins may paint");
        assertThat(refusing.writes).hasValue(1);
    }

    private static ObjectNode withSize(ObjectNode doc, String size) {
        ObjectNode changed = doc.deepCopy();
        changed.put("size", size);
        return changed;
    }
}
