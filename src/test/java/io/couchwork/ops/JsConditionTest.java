package io.couchwork.ops;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.couchwork.CouchworkException;
import org.junit.jupiter.api.Test;

class JsConditionTest {

    @Test
    void should_accept_well_formed_conditions() {
        assertThatCode(() -> JsCondition.check("doc.cores == 4 && (doc.queue == 'long' || doc.tags.indexOf(\")\") >= 0)"))
                .doesNotThrowAnyException();
        assertThatCode(() -> JsCondition.check("[1, 2].indexOf(doc.n) >= 0 && doc.s == 'it\\'s'"))
                .doesNotThrowAnyException();
    }

    @Test
    void should_name_what_is_not_closed_or_closes_nothing() {
        assertThatThrownBy(() -> JsCondition.check("doc.cores == (")).isInstanceOf(CouchworkException.class)
                .hasMessage("Invalid condition doc.cores == (: '(' is not closed");
        assertThatThrownBy(() -> JsCondition.check("doc.a == 1)")).hasMessageContaining("')' at position 11 closes nothing");
        assertThatThrownBy(() -> JsCondition.check("doc.a == 'x")).hasMessageContaining("a string (') is not closed");
        assertThatThrownBy(() -> JsCondition.check("(doc.a]")).hasMessageContaining("']' at position 7 closes nothing");
        assertThatThrownBy(() -> JsCondition.check(" ")).hasMessageContaining("it is empty");
    }
}
