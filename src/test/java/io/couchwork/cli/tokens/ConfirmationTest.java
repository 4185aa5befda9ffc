package io.couchwork.cli.tokens;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.couchwork.CouchworkException;
import org.junit.jupiter.api.Test;

class ConfirmationTest {

    @Test
    void should_go_ahead_on_yes_or_a_typed_y() {
        assertThatCode(() -> new Confirmation(true, null).confirm("delete 3 tokens")).doesNotThrowAnyException();
        assertThatCode(() -> new Confirmation(false, prompt -> "y").confirm("delete 3 tokens")).doesNotThrowAnyException();
        assertThatCode(() -> new Confirmation(false, prompt -> " YES ").confirm("delete 3 tokens")).doesNotThrowAnyException();
    }

    @Test
    void should_cancel_on_anything_else_and_refuse_without_a_terminal() {
        assertThatThrownBy(() -> new Confirmation(false, prompt -> "").confirm("delete 3 tokens"))
                .isInstanceOf(CouchworkException.class).hasMessage("Cancelled: nothing changed");
        assertThatThrownBy(() -> new Confirmation(false, prompt -> null).confirm("delete 3 tokens"))
                .hasMessage("Cancelled: nothing changed");
        assertThatThrownBy(() -> new Confirmation(false, null).confirm("delete 3 tokens"))
                .hasMessage("Refusing to delete 3 tokens without confirmation: not a terminal; add --yes");
    }
}
