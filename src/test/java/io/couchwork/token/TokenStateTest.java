package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A token's state by PiCaS's view conditions, and the table of allowed state transitions. */
class TokenStateTest {

    private static JsonNode doc(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static TokenState finishedWith(String exitCodeJson) {
        return TokenState.of(doc("{\"lock\":100,\"done\":200,\"exit_code\":" + exitCodeJson + "}"));
    }

    // --- TokenState.of: the view conditions ---

    @Test
    void should_be_todo_when_lock_and_done_are_zero() {
        assertThat(TokenState.of(doc("{\"type\":\"token\",\"lock\":0,\"done\":0}"))).isEqualTo(TokenState.TODO);
    }

    @Test
    void should_be_locked_when_lock_is_positive_and_done_is_zero() {
        assertThat(TokenState.of(doc("{\"lock\":1700000000,\"done\":0}"))).isEqualTo(TokenState.LOCKED);
    }

    @Test
    void should_be_done_when_locked_and_done_with_exit_code_zero() {
        assertThat(finishedWith("0")).isEqualTo(TokenState.DONE);
    }

    @Test
    void should_be_error_when_locked_and_done_with_a_non_zero_exit_code() {
        assertThat(finishedWith("3")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("-1")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("\"3\"")).isEqualTo(TokenState.ERROR);
    }

    @Test
    void should_be_done_for_exit_code_strings_that_parseInt_reads_as_zero() {
        assertThat(finishedWith("\"0\"")).isEqualTo(TokenState.DONE);
        assertThat(finishedWith("\"0abc\"")).isEqualTo(TokenState.DONE);
        assertThat(finishedWith("\" 0 \"")).isEqualTo(TokenState.DONE);
        assertThat(finishedWith("\"-0\"")).isEqualTo(TokenState.DONE);
        assertThat(finishedWith("\"+0\"")).isEqualTo(TokenState.DONE);
        assertThat(finishedWith("\"00\"")).isEqualTo(TokenState.DONE);
        assertThat(finishedWith("\"0.9\"")).isEqualTo(TokenState.DONE);
    }

    @Test
    void should_be_done_for_fractional_numbers_that_parseInt_truncates_to_zero() {
        assertThat(finishedWith("0.5")).isEqualTo(TokenState.DONE);
        assertThat(finishedWith("-0.5")).isEqualTo(TokenState.DONE);
        assertThat(finishedWith("0.0")).isEqualTo(TokenState.DONE);
    }

    @Test
    void should_be_error_for_exit_codes_that_parseInt_reads_as_nan() {
        assertThat(finishedWith("\"\"")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("\"abc\"")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("\"-\"")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("null")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("true")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("{}")).isEqualTo(TokenState.ERROR);
    }

    @Test
    void should_be_error_when_the_exit_code_is_missing() {
        assertThat(TokenState.of(doc("{\"lock\":100,\"done\":200}"))).isEqualTo(TokenState.ERROR);
    }

    @Test
    void should_be_error_for_exit_code_strings_with_a_non_zero_leading_number() {
        assertThat(finishedWith("\"1e3\"")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("\"-1\"")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("\"12abc\"")).isEqualTo(TokenState.ERROR);
    }

    @Test
    void should_be_invalid_when_lock_or_done_is_missing() {
        assertThat(TokenState.of(doc("{\"done\":0}"))).isEqualTo(TokenState.INVALID);
        assertThat(TokenState.of(doc("{\"lock\":0}"))).isEqualTo(TokenState.INVALID);
        assertThat(TokenState.of(doc("{\"type\":\"token\"}"))).isEqualTo(TokenState.INVALID);
    }

    @Test
    void should_be_invalid_when_lock_or_done_is_not_a_number() {
        assertThat(TokenState.of(doc("{\"lock\":\"0\",\"done\":0}"))).isEqualTo(TokenState.INVALID);
        assertThat(TokenState.of(doc("{\"lock\":0,\"done\":\"0\"}"))).isEqualTo(TokenState.INVALID);
        assertThat(TokenState.of(doc("{\"lock\":null,\"done\":0}"))).isEqualTo(TokenState.INVALID);
        assertThat(TokenState.of(doc("{\"lock\":true,\"done\":false}"))).isEqualTo(TokenState.INVALID);
    }

    @Test
    void should_be_invalid_when_the_numbers_match_no_view() {
        assertThat(TokenState.of(doc("{\"lock\":0,\"done\":5,\"exit_code\":0}"))).isEqualTo(TokenState.INVALID);
        assertThat(TokenState.of(doc("{\"lock\":-1,\"done\":0}"))).isEqualTo(TokenState.INVALID);
        assertThat(TokenState.of(doc("{\"lock\":5,\"done\":-1}"))).isEqualTo(TokenState.INVALID);
    }

    @Test
    void should_name_its_view_in_lower_case() {
        assertThat(TokenState.TODO.viewName()).isEqualTo("todo");
        assertThat(TokenState.LOCKED.viewName()).isEqualTo("locked");
        assertThat(TokenState.ERROR.viewName()).isEqualTo("error");
    }

    @Test
    void should_read_a_hex_prefix_as_javascript_parseInt_does() {
        assertThat(finishedWith("\"0x1\"")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("\"0x\"")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("\"0x0\"")).isEqualTo(TokenState.DONE);
    }

    @Test
    void should_not_cut_a_long_zero_padded_exit_code_to_eighteen_digits() {
        assertThat(finishedWith("\"0000000000000000001\"")).isEqualTo(TokenState.ERROR);
    }

    @Test
    void should_accept_only_ascii_digits_and_javascript_white_space() {
        assertThat(finishedWith("\"\\u0660\"")).isEqualTo(TokenState.ERROR); // ARABIC-INDIC DIGIT ZERO: NaN in JS
        assertThat(finishedWith("\"\\u00a00\"")).isEqualTo(TokenState.DONE); // NO-BREAK SPACE is trimmed in JS
    }

    @Test
    void should_stringify_numbers_and_arrays_as_javascript_parseInt_does() {
        assertThat(finishedWith("1e-7")).isEqualTo(TokenState.ERROR);
        assertThat(finishedWith("[0]")).isEqualTo(TokenState.DONE);
    }

    // --- the transition table ---

    private static void assertTransitions(TokenState from, Set<TokenState> allowed) {
        for (TokenState target : TokenState.values()) {
            if (allowed.contains(target)) {
                assertThat(from.canMoveTo(target)).as(from + " -> " + target).isTrue();
                assertThatCode(() -> from.checkMoveTo(target, "t1")).as(from + " -> " + target)
                        .doesNotThrowAnyException();
            } else {
                assertThat(from.canMoveTo(target)).as(from + " -> " + target).isFalse();
                assertThatThrownBy(() -> from.checkMoveTo(target, "t1")).as(from + " -> " + target)
                        .isInstanceOf(IllegalStateTransitionException.class)
                        .hasMessage("Token t1 cannot change state from " + from + " to " + target);
            }
        }
    }

    @Test
    void should_let_todo_move_only_to_locked() {
        assertTransitions(TokenState.TODO, EnumSet.of(TokenState.LOCKED));
    }

    @Test
    void should_let_locked_move_to_locked_done_error_and_todo() {
        assertTransitions(TokenState.LOCKED,
                EnumSet.of(TokenState.LOCKED, TokenState.DONE, TokenState.ERROR, TokenState.TODO));
    }

    @Test
    void should_let_done_move_only_back_to_todo() {
        assertTransitions(TokenState.DONE, EnumSet.of(TokenState.TODO));
    }

    @Test
    void should_let_error_move_only_back_to_todo() {
        assertTransitions(TokenState.ERROR, EnumSet.of(TokenState.TODO));
    }

    @Test
    void should_let_invalid_move_nowhere() {
        assertTransitions(TokenState.INVALID, EnumSet.noneOf(TokenState.class));
    }

    @Test
    void should_name_the_token_and_both_states_in_the_transition_error() {
        assertThatThrownBy(() -> TokenState.DONE.checkMoveTo(TokenState.LOCKED, "job-42"))
                .isInstanceOf(IllegalStateTransitionException.class)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("job-42")
                .hasMessageContaining("DONE")
                .hasMessageContaining("LOCKED");
    }

    @Test
    void should_read_state_from_a_document_built_in_code() {
        ObjectNode token = Json.object().put("lock", 10L).put("done", 20L).put("exit_code", 0);
        assertThat(TokenState.of(token)).isEqualTo(TokenState.DONE);
    }
}
