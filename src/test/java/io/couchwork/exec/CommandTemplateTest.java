package io.couchwork.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.Json;
import io.couchwork.token.NonRetryable;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Filling {field} placeholders from a token: shell-quoted for commands, slash-free for paths. */
class CommandTemplateTest {

    private static JsonNode token(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static String fill(String template, String json) {
        return new CommandTemplate(template).fill(token(json));
    }

    @Test
    void should_fill_top_level_fields_single_quoted() {
        assertThat(fill("echo token {_id}: input {input}", "{\"_id\":\"t1\",\"input\":\"a b\"}"))
                .isEqualTo("echo token 't1': input 'a b'");
    }

    @Test
    void should_fill_nested_fields() {
        assertThat(fill("process {input.file} --n {input.opts.n}",
                "{\"input\":{\"file\":\"data/x.csv\",\"opts\":{\"n\":5}}}"))
                .isEqualTo("process 'data/x.csv' --n '5'");
    }

    @Test
    void should_quote_a_single_quote_the_posix_way() {
        assertThat(fill("echo {input}", "{\"input\":\"it's\"}")).isEqualTo("echo 'it'\\''s'");
        assertThat(CommandTemplate.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(CommandTemplate.quote("''")).isEqualTo("''\\'''\\'''");
    }

    @Test
    void should_keep_shell_syntax_in_a_value_inside_quotes() {
        assertThat(fill("echo {input}", "{\"input\":\"$(rm -rf /)\"}")).isEqualTo("echo '$(rm -rf /)'");
        assertThat(fill("echo {input}", "{\"input\":\"a; rm -rf /\"}")).isEqualTo("echo 'a; rm -rf /'");
        assertThat(fill("echo {input}", "{\"input\":\"`id`\"}")).isEqualTo("echo '`id`'");
        assertThat(fill("echo {input}", "{\"input\":\"x' ; id ; echo '\"}"))
                .isEqualTo("echo 'x'\\'' ; id ; echo '\\'''");
    }

    @Test
    void should_not_treat_replacement_syntax_in_a_value_specially() {
        assertThat(fill("echo {input}", "{\"input\":\"$1 \\\\ $0\"}")).isEqualTo("echo '$1 \\ $0'");
    }

    @Test
    void should_fill_numbers_and_booleans_as_their_text() {
        assertThat(fill("run {n} {f} {b}", "{\"n\":42,\"f\":1.5,\"b\":true}")).isEqualTo("run '42' '1.5' 'true'");
    }

    @Test
    void should_fill_objects_and_arrays_as_json_text() {
        assertThat(fill("run {input}", "{\"input\":{\"a\":1,\"b\":[1,2]}}")).isEqualTo("run '{\"a\":1,\"b\":[1,2]}'");
        assertThat(fill("run {list}", "{\"list\":[\"x\",\"y\"]}")).isEqualTo("run '[\"x\",\"y\"]'");
    }

    @Test
    void should_fill_the_same_placeholder_every_time_it_appears() {
        assertThat(fill("cp {f} {f}.bak", "{\"f\":\"a\"}")).isEqualTo("cp 'a' 'a'.bak");
    }

    @Test
    void should_leave_a_command_without_placeholders_unchanged() {
        assertThat(fill("awk '{ print $1 }' in.txt", "{}")).isEqualTo("awk '{ print $1 }' in.txt");
    }

    @Test
    void should_throw_a_non_retryable_error_naming_a_missing_field() {
        assertThatThrownBy(() -> fill("process {input.file}", "{\"input\":{\"other\":1}}"))
                .isInstanceOf(TokenFieldMissingException.class)
                .isInstanceOf(NonRetryable.class)
                .hasMessageContaining("'input.file'");
        assertThatThrownBy(() -> fill("process {missing}", "{\"input\":\"a\"}"))
                .isInstanceOf(TokenFieldMissingException.class)
                .hasMessageContaining("'missing'");
    }

    @Test
    void should_treat_a_null_field_as_missing() {
        assertThatThrownBy(() -> fill("process {input}", "{\"input\":null}"))
                .isInstanceOf(TokenFieldMissingException.class)
                .hasMessageContaining("'input'");
    }

    @Test
    void should_treat_a_field_below_a_plain_value_as_missing() {
        assertThatThrownBy(() -> fill("process {input.file}", "{\"input\":\"a\"}"))
                .isInstanceOf(TokenFieldMissingException.class)
                .hasMessageContaining("'input.file'");
    }

    @Test
    void should_fill_a_path_without_quotes_and_with_slashes_made_underscores() {
        CommandTemplate path = new CommandTemplate("/scratch/jobs/{_id}/{input.name}");
        assertThat(path.fillPath(token("{\"_id\":\"run/1\",\"input\":{\"name\":\"a b's\"}}")))
                .isEqualTo("/scratch/jobs/run_1/a b's");
        assertThat(path.fillPath(token("{\"_id\":\"../../etc\",\"input\":{\"name\":\"x\"}}")))
                .isEqualTo("/scratch/jobs/.._.._etc/x");
    }

    @Test
    void should_reject_a_missing_field_in_a_path_too() {
        assertThatThrownBy(() -> new CommandTemplate("/scratch/{_id}").fillPath(token("{}")))
                .isInstanceOf(TokenFieldMissingException.class)
                .hasMessageContaining("'_id'");
    }

    @Test
    void should_reject_a_blank_template() {
        assertThatThrownBy(() -> new CommandTemplate("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the shell command is empty");
        assertThatThrownBy(() -> new CommandTemplate(""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CommandTemplate(null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void should_show_the_template_as_its_text() {
        assertThat(new CommandTemplate("echo {input}").toString()).isEqualTo("echo {input}");
    }

    @Test
    void should_leave_shell_parameter_expansion_with_braces_alone() {
        assertThat(fill("echo \"${TOKEN_INPUT}\" {input}", "{\"input\":\"a\"}"))
                .isEqualTo("echo \"${TOKEN_INPUT}\" 'a'");
    }

    @Test
    void should_keep_a_filled_path_below_its_fixed_prefix() {
        String filled = new CommandTemplate("/scratch/jobs/{_id}").fillPath(token("{\"_id\":\"..\"}"));
        assertThat(Path.of(filled).normalize()).startsWithRaw(Path.of("/scratch/jobs"));
    }
}
