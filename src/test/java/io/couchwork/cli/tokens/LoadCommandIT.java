package io.couchwork.cli.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.FaultInjectingProxy;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** couchwork load against the test server: every format, templates, groups, duplicates, and every failure path. */
@ExtendWith(CouchDbServerExtension.class)
class LoadCommandIT {

    @TempDir
    Path dir;

    @Test
    void should_create_picas_tokens_from_csv_with_numbers_typed_and_the_template_underneath(TestCouch couch)
            throws IOException {
        String db = couch.createDatabase();
        Path csv = write("jobs.csv", """
                input,cores,version,note
                file-1.dat,4,007,
                file-2.dat,8,1.50,"quoted, with comma"
                """);
        Path template = write("common.yaml", """
                note: default note
                config: {queue: long, retries: 2}
                """);

        Cli.Result result = Cli.on(couch, db).run("load", csv.toString(), "--template", template.toString());

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("2 created, 0 already loaded (skipped), 0 failed");
        List<JsonNode> tokens = tokens(couch, db, "token");
        assertThat(tokens).hasSize(2);
        JsonNode first = byInput(tokens, "file-1.dat");
        assertThat(first.path("_id").asText()).matches("token_[0-9a-f]{32}");
        assertThat(first.path("type").asText()).isEqualTo("token");
        assertThat(first.path("lock").isNumber()).isTrue();
        assertThat(first.path("lock").asLong()).isZero();
        assertThat(first.path("done").asLong()).isZero();
        assertThat(first.path("scrub_count").asLong()).isZero();
        assertThat(first.path("hostname").asText()).isEmpty();
        assertThat(first.path("exit_code").asText()).isEmpty();
        assertThat(first.path("error").isArray()).isTrue();
        assertThat(first.path("cores").isIntegralNumber()).isTrue();
        assertThat(first.path("cores").asInt()).isEqualTo(4);
        assertThat(first.path("version").asText()).isEqualTo("007");
        assertThat(first.path("note").asText()).isEqualTo("default note");
        assertThat(first.path("config").path("queue").asText()).isEqualTo("long");
        JsonNode second = byInput(tokens, "file-2.dat");
        assertThat(second.path("version").isTextual()).isTrue();
        assertThat(second.path("note").asText()).isEqualTo("quoted, with comma");
        // the set's PiCaS views are installed with the tokens
        assertThat(couch.database(db).get("_design/Monitor")).isPresent();
    }

    @Test
    void should_read_json_arrays_json_lines_and_yaml_lists(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        Path json = write("a.json", """
                [{"input": "a1", "cores": 2}, "a2"]
                """);
        Path jsonl = write("b.jsonl", """
                {"input": "b1"}

                {"input": "b2", "priority": 5}
                """);
        Path yaml = write("c.yaml", """
                - input: c1
                  cores: 3
                - {input: c2}
                """);

        Cli.Result result = Cli.on(couch, db).run("load", json.toString(), jsonl.toString(), yaml.toString(),
                "--set", "lofar");

        assertThat(result.code()).as(result.err()).isZero();
        List<JsonNode> tokens = tokens(couch, db, "lofar");
        assertThat(tokens).extracting(t -> t.path("input").asText())
                .containsExactlyInAnyOrder("a1", "a2", "b1", "b2", "c1", "c2");
        assertThat(byInput(tokens, "b2").path("priority").asInt()).isEqualTo(5);
        assertThat(byInput(tokens, "c1").path("cores").asInt()).isEqualTo(3);
        assertThat(tokens).allSatisfy(t -> assertThat(t.path("_id").asText()).startsWith("lofar_"));
        assertThat(couch.database(db).get("_design/lofar")).isPresent();
    }

    @Test
    void should_group_a_plain_list_into_tokens_of_n_items(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        Path list = write("srm.txt", IntStream.rangeClosed(1, 7).mapToObj(i -> "srm://host/file" + i)
                .collect(Collectors.joining("\n", "# LOFAR files\n", "\n")));

        Cli.Result result = Cli.on(couch, db).run("load", list.toString(), "--per-token", "3");

        assertThat(result.code()).as(result.err()).isZero();
        List<JsonNode> tokens = tokens(couch, db, "token");
        assertThat(tokens).extracting(t -> t.path("input").size()).containsExactlyInAnyOrder(3, 3, 1);
        assertThat(tokens).flatExtracting(t -> List.of(t.path("input").elements()).stream()
                .flatMap(it -> java.util.stream.StreamSupport.stream(
                        java.util.Spliterators.spliteratorUnknownSize(it, 0), false))
                .map(JsonNode::asText).toList()).hasSize(7).contains("srm://host/file1", "srm://host/file7");
    }

    @Test
    void should_skip_tokens_loaded_before_and_load_them_anew_with_again(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        Path csv = write("jobs.csv", "input\nx\ny\ny\n");
        Cli cli = Cli.on(couch, db);
        assertThat(cli.run("load", csv.toString()).code()).isZero();
        assertThat(tokens(couch, db, "token")).hasSize(3); // the two identical rows are two tokens

        Cli.Result again = cli.run("load", csv.toString());

        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("0 created, 3 already loaded (skipped)").contains("--again");
        assertThat(tokens(couch, db, "token")).hasSize(3);

        Cli.Result forced = cli.run("load", csv.toString(), "--again");
        assertThat(forced.code()).isZero();
        assertThat(forced.out()).contains("3 created");
        assertThat(tokens(couch, db, "token")).hasSize(6);
    }

    @Test
    void should_name_file_and_line_of_a_bad_csv_row_and_write_nothing(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        Path good = write("good.csv", "input,cores\na,1\n");
        Path bad = write("tokens.csv", "input,cores,mem,queue\na,1,2,q\nb,1,2,q\nc,1,2\n");

        Cli.Result result = Cli.on(couch, db).run("load", good.toString(), bad.toString());

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err().lines()).containsExactly("couchwork: " + bad + ":4: 3 fields, header has 4");
        assertThat(couch.database(db).allDocuments(100)).isEmpty();
    }

    @Test
    void should_name_file_and_line_of_bad_json_yaml_and_fields(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        Cli cli = Cli.on(couch, db);
        Path json = write("broken.json", "[\n  {\"input\": 1},\n  {\"input\": 2,,}\n]\n");
        Path jsonl = write("broken.jsonl", "{\"input\": 1}\n{\"input\": \n");
        Path yaml = write("broken.yaml", "- input: 1\n- input: [2\n");
        Path rev = write("rev.jsonl", "{\"input\": 1}\n{\"input\": 2, \"_rev\": \"1-abc\"}\n");
        Path type = write("type.json", "[\n {\"input\": 1, \"type\": \"other\"}\n]");

        assertThat(cli.run("load", json.toString()).err().lines()).containsExactly(
                "couchwork: " + json + ":3:15: Unexpected character (',' (code 44)): was expecting double-quote to start"
                        + " field name",
                "  3 |   {\"input\": 2,,}",
                "    |               ^");
        assertThat(cli.run("load", jsonl.toString()).err()).startsWith("couchwork: " + jsonl + ":2:")
                .contains("invalid JSON").doesNotContain("Source:", "REDACTED", "StreamReadFeature");
        assertThat(cli.run("load", yaml.toString()).err().lines()).containsExactly(
                "couchwork: " + yaml + ":3:1: expected ',' or ']', but got <stream end> (while parsing a flow sequence"
                        + " at line 2, column 10)",
                "  2 | - input: [2",
                "    |          ^");
        assertThat(cli.run("load", rev.toString()).err().lines())
                .containsExactly("couchwork: " + rev + ":2: field '_rev' is not allowed in a new token");
        Cli.Result wrongType = cli.run("load", type.toString());
        assertThat(wrongType.code()).isEqualTo(2);
        assertThat(wrongType.err()).startsWith("couchwork: " + type + ":2: type \"other\" but loading into set 'token'");
        assertThat(cli.run("load", dir.resolve("missing.csv").toString()).err())
                .isEqualTo("couchwork: " + dir.resolve("missing.csv") + ": no such file" + System.lineSeparator());
        assertThat(cli.run("load", json.toString(), "--format", "xml").err())
                .startsWith("couchwork: Unknown format 'xml': valid formats are auto, json, jsonl, csv, yaml, lines");
        assertThat(couch.database(db).allDocuments(100)).isEmpty();
    }

    @Test
    void should_fail_with_one_line_and_exit_69_when_the_server_is_unreachable(TestCouch couch) throws IOException {
        Path csv = write("jobs.csv", "input\nx\n");

        Cli.Result result = Cli.on(couch, "http://127.0.0.1:" + closedPort(), "nowhere").run("load", csv.toString());

        assertThat(result.code()).isEqualTo(69);
        assertThat(result.err().lines()).singleElement().asString()
                .startsWith("couchwork: Cannot reach CouchDB at http://127.0.0.1:").contains("connection refused");
    }

    @Test
    void should_never_print_the_password(TestCouch couch) throws IOException {
        Path csv = write("jobs.csv", "input\nx\n");
        String url = "http://operator:s3cr3t-pw@127.0.0.1:" + closedPort();

        Cli.Result result;
        try {
            result = Cli.on(couch, url, "pool").run("load", csv.toString(), "--verbose");
        } finally {
            io.couchwork.cli.CliErrorHandler.setVerbose(false); // a static switch: later tests expect one-line errors
        }

        assertThat(result.code()).isEqualTo(69);
        assertThat(result.err() + result.out()).doesNotContain("s3cr3t-pw").contains("couchwork: Cannot reach CouchDB");
    }

    @Test
    void should_load_ten_thousand_tokens_in_bulk_requests(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        Path lines = write("inputs.txt", IntStream.range(0, 10_000).mapToObj(i -> "input-" + i)
                .collect(Collectors.joining("\n")));
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.settings(db).displayUrl())) {
            Cli.Result result = Cli.on(couch, proxy.url(), db).run("load", lines.toString());

            assertThat(result.code()).as(result.err()).isZero();
            assertThat(result.out()).contains("10000 created");
            assertThat(proxy.count("POST /" + db + "/_bulk_docs")).as(proxy.requests().toString())
                    .isEqualTo(10_000 / 500 + 3); // the tokens, plus the 3 design documents installed first
            assertThat(proxy.requests()).hasSizeLessThanOrEqualTo(10_000 / 500 + 20);
        }
        assertThat(couch.database(db).info().getDocCount()).isEqualTo(10_000 + 3);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    static List<JsonNode> tokens(TestCouch couch, String db, String set) {
        CouchDatabase database = couch.database(db);
        return database.allDocuments(1000).stream().filter(d -> set.equals(d.path("type").asText())).toList();
    }

    private static JsonNode byInput(List<JsonNode> tokens, String input) {
        return tokens.stream().filter(t -> input.equals(t.path("input").asText())).findFirst().orElseThrow();
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
