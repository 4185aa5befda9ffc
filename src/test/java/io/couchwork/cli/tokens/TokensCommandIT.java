package io.couchwork.cli.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.FaultInjectingProxy;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** couchwork tokens against the test server: selections, each change, dry runs, confirmation, archives, bulk requests. */
@ExtendWith(CouchDbServerExtension.class)
class TokensCommandIT {

    private static final long NOW = Instant.now().getEpochSecond();

    @TempDir
    Path dir;

    @Test
    void should_reset_error_tokens_as_picas_does_but_keep_their_logs(TestCouch couch) {
        String db = pool(couch);

        Cli.Result result = Cli.on(couch, db).run("tokens", "reset", "--state", "error", "--yes");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("reset: 1 token selected (set 'token', state error)").contains("1 ok, 0 conflicts, 0 failed");
        JsonNode reset = doc(couch, db, "t_error");
        assertThat(reset.path("lock").asLong()).isZero();
        assertThat(reset.path("done").asLong()).isZero();
        assertThat(reset.path("scrub_count").asLong()).isEqualTo(3);
        assertThat(reset.path("hostname").asText()).isEmpty();
        assertThat(reset.path("exit_code").asText()).isEmpty();
        assertThat(reset.path("attempts").asLong()).isZero();
        assertThat(reset.path("lease_expiries").asLong()).isZero();
        assertThat(reset.has("worker_id")).isFalse();
        assertThat(reset.path("error").size()).as("the error history stays").isEqualTo(1);
        assertThat(new String(new PlainHttp(couch, db).attachment("t_error", "stdout.log"), StandardCharsets.UTF_8))
                .isEqualTo("the log");
        assertThat(doc(couch, db, "t_done").path("done").asLong()).as("other states untouched").isPositive();

        Cli.on(couch, db).run("tokens", "reset", "--state", "done", "--drop-logs", "--yes");
        assertThat(doc(couch, db, "t_done").has("_attachments")).isFalse();
    }

    @Test
    void should_reset_only_tokens_locked_longer_than_the_duration(TestCouch couch) {
        String db = pool(couch);

        Cli.Result result = Cli.on(couch, db).run("tokens", "reset", "--locked-longer-than", "2h", "--yes");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(doc(couch, db, "t_locked_old").path("lock").asLong()).isZero();
        assertThat(doc(couch, db, "t_locked_old").has("lease_until")).isTrue();
        assertThat(doc(couch, db, "t_locked_old").path("lease_until").asLong()).isZero();
        assertThat(doc(couch, db, "t_locked_new").path("lock").asLong()).isEqualTo(NOW - 60);
    }

    @Test
    void should_set_and_unset_fields_selected_by_state_selector_and_view(TestCouch couch) {
        String db = pool(couch);
        Cli cli = Cli.on(couch, db);

        assertThat(cli.run("tokens", "set", "queue=long", "cores=8", "tags=[\"a\",1]", "--state", "todo").code()).isZero();
        assertThat(doc(couch, db, "t_todo").path("queue").asText()).isEqualTo("long");
        assertThat(doc(couch, db, "t_todo").path("cores").isIntegralNumber()).isTrue();
        assertThat(doc(couch, db, "t_todo").path("tags").toString()).isEqualTo("[\"a\",1]");
        assertThat(doc(couch, db, "t_done").has("queue")).isFalse();

        Cli.Result bySelector = cli.run("tokens", "set", "big=true", "--selector", "{\"cores\": {\"$gte\": 8}}");
        assertThat(bySelector.code()).as(bySelector.err()).isZero();
        assertThat(doc(couch, db, "t_todo").path("big").asBoolean()).isTrue();
        assertThat(doc(couch, db, "t_done").has("big")).isFalse();
        assertThat(doc(couch, db, "other_set").has("big")).as("another set's token with cores 8").isFalse();

        assertThat(cli.run("views", "add", "finished", "doc.done > 0").code()).isZero();
        Cli.Result byView = cli.run("tokens", "unset", "output", "--view", "finished", "--yes");
        assertThat(byView.code()).as(byView.err()).isZero();
        assertThat(doc(couch, db, "t_done").has("output")).isFalse();
        assertThat(doc(couch, db, "t_error").has("output")).isFalse();
        assertThat(doc(couch, db, "t_todo").has("output")).isTrue();
    }

    @Test
    void should_print_a_dry_run_and_write_nothing(TestCouch couch) {
        String db = pool(couch);
        Map<String, String> revisions = revisions(couch, db);

        Cli.Result result = Cli.on(couch, db).run("tokens", "reset", "--state", "locked", "--dry-run");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("t_locked_old: lock: " + (NOW - 3 * 3600) + " → 0")
                .contains("scrub_count: 0 → 1")
                .contains("Dry run: would reset 2 tokens (set 'token', state locked); nothing written");
        assertThat(Cli.on(couch, db).run("tokens", "delete", "--dry-run").out())
                .contains("t_todo: delete").contains("would delete 5 tokens");
        assertThat(revisions(couch, db)).isEqualTo(revisions);
    }

    @Test
    void should_refuse_destructive_changes_without_a_terminal_or_yes(TestCouch couch) {
        String db = pool(couch);
        Map<String, String> revisions = revisions(couch, db);

        for (String[] command : List.of(new String[] {"tokens", "delete"}, new String[] {"tokens", "reset"},
                new String[] {"tokens", "unset", "output"})) {
            Cli.Result result = Cli.on(couch, db).run(command);
            assertThat(result.code()).isEqualTo(2);
            assertThat(result.err().lines()).singleElement().asString()
                    .startsWith("couchwork: Refusing to ").endsWith("without confirmation: not a terminal; add --yes");
        }
        assertThat(revisions(couch, db)).isEqualTo(revisions);
    }

    @Test
    void should_reject_unknown_states_and_bad_options_in_one_line(TestCouch couch) {
        String db = pool(couch);
        Cli cli = Cli.on(couch, db);

        Cli.Result state = cli.run("tokens", "delete", "--state", "finished", "--yes");
        assertThat(state.code()).isEqualTo(2);
        assertThat(state.err().lines()).containsExactly(
                "couchwork: Unknown state 'finished': valid states are todo, locked, done, error, invalid");
        assertThat(cli.run("tokens", "set", "_id=x").err()).contains("Field '_id' belongs to CouchDB");
        assertThat(cli.run("tokens", "set", "novalue").err()).contains("Expected FIELD=VALUE, got 'novalue'");
        assertThat(cli.run("tokens", "reset", "--locked-longer-than", "soon").err())
                .contains("Invalid --locked-longer-than 'soon'");
        assertThat(cli.run("tokens", "set", "a=1", "--view", "nope").err())
                .contains("No view 'nope' in _design/Monitor of set 'token'");
        assertThat(cli.run("tokens", "set", "a=1", "--selector", "[1]").err())
                .contains("--selector must be a JSON object");
    }

    @Test
    void should_fail_with_exit_69_when_the_server_is_unreachable(TestCouch couch) {
        Cli.Result result = Cli.on(couch, "http://127.0.0.1:1", "pool").run("tokens", "reset", "--yes");

        assertThat(result.code()).isEqualTo(69);
        assertThat(result.err().lines()).singleElement().asString()
                .startsWith("couchwork: Cannot reach CouchDB at http://127.0.0.1:1").contains("connection refused");
    }

    @Test
    void should_restore_an_archive_to_identical_documents_and_attachment_bytes(TestCouch couch) throws IOException {
        String db = pool(couch);
        Path extra = Files.write(dir.resolve("data.bin"), new byte[] {0, 1, 2, (byte) 255, 10, 13});
        assertThat(Cli.on(couch, db).run("tokens", "attach", extra.toString(), "--state", "todo").code()).isZero();
        Map<String, JsonNode> before = contents(couch, db);
        Map<String, byte[]> attachments = attachmentBytes(couch, db);
        assertThat(attachments).containsKeys("t_todo/data.bin", "t_error/stdout.log", "t_done/stdout.log");
        Path archive = dir.resolve("pool.tar.gz");

        Cli.Result archived = Cli.on(couch, db).run("tokens", "archive", archive.toString());
        assertThat(archived.code()).as(archived.err()).isZero();
        assertThat(archived.out()).contains("Archived 5 tokens").contains("with 3 attachments");
        assertThat(Cli.on(couch, db).run("tokens", "delete", "--yes").code()).isZero();
        assertThat(contents(couch, db)).isEmpty();

        Cli.Result restored = Cli.on(couch, db).run("tokens", "restore", archive.toString());

        assertThat(restored.code()).as(restored.err() + restored.out()).isZero();
        assertThat(restored.out()).contains("5 ok, 0 conflicts, 0 failed");
        assertThat(contents(couch, db)).isEqualTo(before);
        Map<String, byte[]> after = attachmentBytes(couch, db);
        assertThat(after.keySet()).isEqualTo(attachments.keySet());
        attachments.forEach((key, bytes) -> assertThat(after.get(key)).as(key).isEqualTo(bytes));

        Cli.Result again = Cli.on(couch, db).run("tokens", "restore", archive.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.out()).contains("0 ok, 5 conflicts").contains("conflict: t_todo");
    }

    @Test
    void should_restore_into_a_fresh_database_with_the_sets_views(TestCouch couch) throws IOException {
        String db = pool(couch);
        Path archive = dir.resolve("pool.tar.gz");
        assertThat(Cli.on(couch, db).run("tokens", "archive", archive.toString()).code()).isZero();
        String fresh = couch.createDatabase();

        Cli.Result restored = Cli.on(couch, fresh).run("tokens", "restore", archive.toString());

        assertThat(restored.code()).as(restored.err() + restored.out()).isZero();
        assertThat(contents(couch, fresh)).isEqualTo(contents(couch, db));
        assertThat(new io.couchwork.testing.PlainHttp(couch, fresh).overviewTotal("Monitor")).isEqualTo(5);
    }

    @Test
    void should_refuse_a_damaged_archive_and_write_nothing(TestCouch couch) throws IOException {
        String db = pool(couch);
        Path archive = dir.resolve("pool.tar.gz");
        assertThat(Cli.on(couch, db).run("tokens", "archive", archive.toString()).code()).isZero();
        assertThat(Cli.on(couch, db).run("tokens", "delete", "--yes").code()).isZero();
        byte[] bytes = Files.readAllBytes(archive);
        Path truncated = Files.write(dir.resolve("truncated.tar.gz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));

        Cli.Result result = Cli.on(couch, db).run("tokens", "restore", truncated.toString());

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).startsWith("couchwork: " + truncated + ": ");
        assertThat(contents(couch, db)).isEmpty();
    }

    @Test
    void should_change_ten_thousand_tokens_with_bulk_requests(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        Path lines = Files.writeString(dir.resolve("inputs.txt"), IntStream.range(0, 10_000).mapToObj(i -> "input-" + i)
                .collect(Collectors.joining("\n")));
        assertThat(Cli.on(couch, db).run("load", lines.toString()).code()).isZero();
        int batches = 10_000 / 500;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.settings(db).displayUrl())) {
            Cli cli = Cli.on(couch, proxy.url(), db);

            Cli.Result set = cli.run("tokens", "set", "queue=long", "--state", "todo");
            assertThat(set.code()).as(set.err()).isZero();
            assertThat(set.out()).contains("10000 ok");
            assertBulk(proxy, db, batches);

            proxy.reset();
            Cli.Result reset = cli.run("tokens", "reset", "--yes");
            assertThat(reset.code()).as(reset.err()).isZero();
            assertThat(reset.out()).contains("10000 ok");
            assertBulk(proxy, db, batches);

            proxy.reset();
            Cli.Result delete = cli.run("tokens", "delete", "--yes");
            assertThat(delete.code()).as(delete.err()).isZero();
            assertThat(delete.out()).contains("10000 ok");
            assertBulk(proxy, db, batches);
        }
        CouchDatabase database = couch.database(db);
        assertThat(database.info().getDocCount()).as("only the design documents are left").isEqualTo(3);
    }

    /** One _bulk_docs per batch of 500; reads: one selection page and one _all_docs (keys) per batch, and a few more. */
    private static void assertBulk(FaultInjectingProxy proxy, String db, int batches) {
        assertThat(proxy.count("POST /" + db + "/_bulk_docs")).as(proxy.requests().toString()).isEqualTo(batches);
        assertThat(proxy.count("POST /" + db + "/_all_docs") + proxy.count("/_view/"))
                .as("pages to select (a view or _all_docs), then pages of the tokens to change (_all_docs by keys)")
                .isBetween(2L * batches, 2L * batches + 6);
        assertThat(proxy.requests()).as(proxy.requests().toString()).hasSizeLessThanOrEqualTo(3 * batches + 10);
    }

    /** Five tokens, one per state (two locked: 3 hours and 1 minute ago), with logs, plus a token of another set. */
    private static String pool(TestCouch couch) {
        String db = couch.createDatabase();
        List<ObjectNode> docs = new ArrayList<>();
        docs.add(token("t_todo", 0, 0, "", null));
        docs.add(token("t_locked_old", NOW - 3 * 3600, 0, "", null));
        docs.add(token("t_locked_new", NOW - 60, 0, "", null));
        docs.add(token("t_done", NOW - 100, NOW - 50, "0", "the log"));
        ObjectNode error = token("t_error", NOW - 100, NOW - 50, "1", "the log");
        error.put("scrub_count", 2);
        error.put("attempts", 3);
        error.put("lease_expiries", 2);
        error.put("worker_id", "w1");
        error.putArray("error").addObject().put("message", "exit code 1");
        docs.add(error);
        ObjectNode other = token("other_set", 0, 0, "", null);
        other.put("type", "lofar");
        other.put("cores", 8);
        docs.add(other);
        couch.database(db).bulkWrite(docs).forEach(r -> assertThat(r.ok()).isTrue());
        return db;
    }

    private static ObjectNode token(String id, long lock, long done, String exitCode, String log) {
        ObjectNode doc = Json.object();
        doc.put("_id", id);
        doc.put("type", "token");
        doc.put("lock", lock);
        doc.put("done", done);
        doc.put("hostname", lock > 0 ? "node1" : "");
        doc.put("scrub_count", 0);
        doc.put("input", id + ".dat");
        doc.put("exit_code", exitCode);
        doc.put("output", "out");
        doc.put("cores", 1);
        doc.putArray("error");
        if (lock > 0 && done == 0) {
            doc.put("lease_until", lock + 300);
            doc.put("claim_id", "c1");
        }
        if (log != null) {
            ObjectNode attachment = doc.putObject("_attachments").putObject("stdout.log");
            attachment.put("content_type", "text/plain");
            attachment.put("data", Base64.getEncoder().encodeToString(log.getBytes(StandardCharsets.UTF_8)));
        }
        return doc;
    }

    private static JsonNode doc(TestCouch couch, String db, String id) {
        return couch.database(db).get(id).orElseThrow();
    }

    private static Map<String, String> revisions(TestCouch couch, String db) {
        Map<String, String> revisions = new TreeMap<>();
        couch.database(db).allDocuments(100).forEach(d -> revisions.put(d.path("_id").asText(), d.path("_rev").asText()));
        return revisions;
    }

    /** Every token without _rev and attachment stubs' revpos (both change with a new revision). */
    private static Map<String, JsonNode> contents(TestCouch couch, String db) {
        Map<String, JsonNode> contents = new TreeMap<>();
        for (JsonNode doc : LoadCommandIT.tokens(couch, db, "token")) {
            ObjectNode copy = (ObjectNode) doc.deepCopy();
            copy.remove("_rev");
            copy.path("_attachments").forEach(stub -> ((ObjectNode) stub).remove("revpos"));
            contents.put(copy.path("_id").asText(), copy);
        }
        return contents;
    }

    private static Map<String, byte[]> attachmentBytes(TestCouch couch, String db) {
        PlainHttp http = new PlainHttp(couch, db);
        Map<String, byte[]> bytes = new TreeMap<>();
        for (JsonNode doc : couch.database(db).allDocuments(100)) {
            doc.path("_attachments").fieldNames().forEachRemaining(name ->
                    bytes.put(doc.path("_id").asText() + "/" + name, http.attachment(doc.path("_id").asText(), name)));
        }
        return bytes;
    }
}
