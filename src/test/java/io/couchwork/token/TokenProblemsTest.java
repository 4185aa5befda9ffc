package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.Json;
import org.junit.jupiter.api.Test;

/** Why a token cannot be run, in words naming the field; and documents too deep to claim. */
class TokenProblemsTest {

    private static JsonNode doc(String json) {
        return Json.read(new java.io.ByteArrayInputStream(json.getBytes()), JsonNode.class);
    }

    @Test
    void should_name_the_field_and_what_it_holds() {
        assertThat(TokenProblems.of(doc("{\"lock\": \"0\", \"done\": 0}"))).hasValue(
                "field 'lock' is the string \"0\", not a number");
        assertThat(TokenProblems.of(doc("{\"lock\": 0, \"done\": null}"))).hasValue("field 'done' is null, not a number");
        assertThat(TokenProblems.of(doc("{\"done\": 0}"))).hasValue("field 'lock' is missing");
        assertThat(TokenProblems.of(doc("{\"lock\": [0], \"done\": 0}"))).hasValue(
                "field 'lock' is an array, not a number");
        assertThat(TokenProblems.of(doc("{\"lock\": -1, \"done\": 0}")).orElseThrow()).contains("match no state");
        assertThat(TokenProblems.of(doc("{\"lock\": 0, \"done\": 0, \"priority\": \"high\"}"))).isEmpty();
    }

    @Test
    void should_read_a_document_nested_5000_levels_deep_and_refuse_to_claim_it() {
        int depth = 5000;
        JsonNode deep = doc("{\"lock\": 0, \"done\": 0, \"nest\": " + "{\"a\": ".repeat(depth) + "1" + "}".repeat(depth)
                + "}");
        assertThat(TokenProblems.depth(deep)).isEqualTo(depth + 1);
        assertThat(TokenProblems.of(deep)).hasValue("it is nested 5001 levels deep; at most 1000 are supported");
        assertThat(TokenProblems.of(doc("{\"lock\": 0, \"done\": 0, \"nest\": " + "[".repeat(999) + "]".repeat(999)
                + "}"))).isEmpty();
    }
}
