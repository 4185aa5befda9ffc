package io.couchwork.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.couchdb.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBuilderTest {

    private static final Clock T1 = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final Clock T2 = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void should_give_the_same_content_the_same_id_in_every_load_and_repeats_distinct_ids() {
        List<TokenInput> inputs = List.of(input("a"), input("b"), input("a"));
        List<ObjectNode> first = new TokenBuilder("token", null, 0, "input", null, T1).build(inputs);
        List<ObjectNode> second = new TokenBuilder("token", null, 0, "input", null, T2).build(inputs);

        assertThat(first).extracting(t -> t.path("_id").asText()).doesNotHaveDuplicates()
                .containsExactlyElementsOf(second.stream().map(t -> t.path("_id").asText()).toList());
        assertThat(new TokenBuilder("token", null, 0, "input", "salt", T1).build(inputs))
                .extracting(t -> t.path("_id").asText()).doesNotContainAnyElementsOf(
                        first.stream().map(t -> t.path("_id").asText()).toList());
    }

    @Test
    void should_merge_picas_fields_template_and_item_in_that_order() {
        ObjectNode template = Json.object();
        template.put("queue", "short");
        template.putObject("config").put("a", 1).put("b", 1);
        ObjectNode item = Json.object();
        item.put("input", "x");
        item.putObject("config").put("b", 2);

        ObjectNode token = new TokenBuilder("lofar", template, 0, "input", null, T1)
                .build(List.of(new TokenInput(item, "f:1"))).get(0);

        assertThat(token.path("type").asText()).isEqualTo("lofar");
        assertThat(token.path("lock").asInt()).isZero();
        assertThat(token.path("queue").asText()).isEqualTo("short");
        assertThat(token.path("config").toString()).isEqualTo("{\"a\":1,\"b\":2}");
        assertThat(token.path("created").asLong()).isEqualTo(T1.millis());
        assertThat(token.fieldNames().next()).isEqualTo("_id");
    }

    @Test
    void should_group_items_per_token() {
        List<TokenInput> inputs = List.of(input("1"), input("2"), input("3"));
        List<ObjectNode> tokens = new TokenBuilder("token", null, 2, "files", null, T1).build(inputs);

        assertThat(tokens).extracting(t -> t.path("files").toString()).containsExactly("[\"1\",\"2\"]", "[\"3\"]");
    }

    @Test
    void should_refuse_couchdb_fields_and_another_type_naming_the_item() {
        ObjectNode item = Json.object();
        item.put("_rev", "1-x");
        assertThatThrownBy(() -> new TokenBuilder("token", null, 0, "input", null, T1)
                .build(List.of(new TokenInput(item, "f.json:7")))).hasMessage("f.json:7: field '_rev' is not allowed in a new token");
        ObjectNode template = Json.object();
        template.put("_id", "same");
        assertThatThrownBy(() -> new TokenBuilder("token", template, 0, "input", null, T1)).hasMessageContaining("_id");
    }

    @Test
    void should_give_a_run_ids_of_its_own_that_repeat_only_within_the_run() {
        List<TokenInput> inputs = List.of(input("a"), input("b"), input("a"));
        List<String> night = ids(TokenBuilder.forRun("token", "20260115T020000Z", T1).build(inputs));
        List<String> sameNightElsewhere = ids(TokenBuilder.forRun("token", "20260115T020000Z", T2).build(inputs));
        List<String> nextNight = ids(TokenBuilder.forRun("token", "20260116T020000Z", T1).build(inputs));

        assertThat(night).doesNotHaveDuplicates().allMatch(id -> id.matches("token_20260115T020000Z_[0-9a-f]{32}"))
                .isEqualTo(sameNightElsewhere).doesNotContainAnyElementsOf(nextNight);
        assertThat(withoutId(TokenBuilder.forRun("token", "20260115T020000Z", T1).build(inputs).get(0)))
                .isEqualTo(withoutId(new TokenBuilder("token", null, 0, "input", null, T1).build(inputs).get(0)));
    }

    @Test
    void should_refuse_an_id_of_the_file_in_a_run() {
        ObjectNode item = Json.object();
        item.put("_id", "calibration");
        assertThatThrownBy(() -> TokenBuilder.forRun("token", "20260115T020000Z", T1)
                .build(List.of(new TokenInput(item, "nightly.json:3"))))
                .hasMessageStartingWith("nightly.json:3: _id is not allowed in a recurring token set");
    }

    private static String withoutId(ObjectNode token) {
        ObjectNode copy = token.deepCopy();
        copy.remove("_id");
        return copy.toString();
    }

    private static List<String> ids(List<ObjectNode> tokens) {
        return tokens.stream().map(t -> t.path("_id").asText()).toList();
    }

    private static TokenInput input(String value) {
        return new TokenInput(TextNode.valueOf(value), "f:1");
    }
}
