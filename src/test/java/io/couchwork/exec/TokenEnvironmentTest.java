package io.couchwork.exec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.Json;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment a command gets from its token: TOKEN_<FIELD> per top-level field, and TOKEN_FILE. */
class TokenEnvironmentTest {

    private static JsonNode token(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static final String TOKEN = """
            {"_id":"t1","_rev":"3-abc","type":"token","lock":100,"done":0,"input":"a b",
             "params":{"n":5,"names":["x","y"]},"my-field":"v","empty":"",
             "_attachments":{"stdout.log":{"stub":true}},"error":[{"message":"m"}],
             "runs":[{"outcome":"retry"}],"output":{"r":1},"_revisions":{"start":3}}
            """;

    @Test
    void should_export_id_rev_and_plain_fields() {
        Map<String, String> env = TokenEnvironment.of(token(TOKEN), "/tmp/token.json");
        assertThat(env).containsEntry("TOKEN_ID", "t1")
                .containsEntry("TOKEN_REV", "3-abc")
                .containsEntry("TOKEN_TYPE", "token")
                .containsEntry("TOKEN_INPUT", "a b")
                .containsEntry("TOKEN_LOCK", "100")
                .containsEntry("TOKEN_DONE", "0")
                .containsEntry("TOKEN_EMPTY", "");
    }

    @Test
    void should_export_nested_objects_as_json_text() {
        Map<String, String> env = TokenEnvironment.of(token(TOKEN), "/tmp/token.json");
        assertThat(env).containsEntry("TOKEN_PARAMS", "{\"n\":5,\"names\":[\"x\",\"y\"]}");
    }

    @Test
    void should_make_field_names_valid_variable_names() {
        Map<String, String> env = TokenEnvironment.of(token(TOKEN), "/tmp/token.json");
        assertThat(env).containsEntry("TOKEN_MY_FIELD", "v");
    }

    @Test
    void should_skip_bookkeeping_and_large_fields() {
        Map<String, String> env = TokenEnvironment.of(token(TOKEN), "/tmp/token.json");
        assertThat(env).doesNotContainKeys("TOKEN_ATTACHMENTS", "TOKEN_ERROR", "TOKEN_RUNS", "TOKEN_OUTPUT",
                "TOKEN_REVISIONS");
    }

    @Test
    void should_set_token_file() {
        Map<String, String> env = TokenEnvironment.of(token(TOKEN), "/tmp/token.json");
        assertThat(env).containsEntry("TOKEN_FILE", "/tmp/token.json");
        assertThat(env).containsOnlyKeys("TOKEN_ID", "TOKEN_REV", "TOKEN_TYPE", "TOKEN_LOCK", "TOKEN_DONE",
                "TOKEN_INPUT", "TOKEN_PARAMS", "TOKEN_MY_FIELD", "TOKEN_EMPTY", "TOKEN_FILE");
    }

    @Test
    void should_let_token_file_win_over_a_field_named_file() {
        Map<String, String> env = TokenEnvironment.of(token("{\"_id\":\"t1\",\"file\":\"in.dat\"}"), "/tmp/t.json");
        assertThat(env).containsEntry("TOKEN_FILE", "/tmp/t.json");
    }

    @Test
    void should_leave_out_a_value_longer_than_64_kib() {
        String big = "x".repeat(64 * 1024 + 1);
        String fits = "y".repeat(64 * 1024);
        Map<String, String> env = TokenEnvironment.of(
                Json.object().put("_id", "t1").put("big", big).put("fits", fits), "/tmp/t.json");
        assertThat(env).doesNotContainKey("TOKEN_BIG").containsEntry("TOKEN_FITS", fits);
    }

    @Test
    void should_name_variables_the_same_in_every_locale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            Map<String, String> env = TokenEnvironment.of(token("{\"_id\":\"t1\",\"input\":\"a\"}"), "/tmp/t.json");
            assertThat(env).containsEntry("TOKEN_ID", "t1").containsEntry("TOKEN_INPUT", "a");
        } finally {
            Locale.setDefault(saved);
        }
    }
}
