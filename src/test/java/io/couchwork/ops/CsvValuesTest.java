package io.couchwork.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvValuesTest {

    @Test
    void should_keep_numbers_that_read_back_as_written() {
        assertThat(CsvValues.typed("42").isIntegralNumber()).isTrue();
        assertThat(CsvValues.typed("-3").asLong()).isEqualTo(-3);
        assertThat(CsvValues.typed("2.5").isDouble()).isTrue();
        assertThat(CsvValues.typed("0").asInt()).isZero();
    }

    @Test
    void should_keep_ambiguous_cells_as_text() {
        for (String text : new String[] {"007", "1.50", "1e3", "-0", "+4", "4.", ".5", "12345678901234567890", "0x1F",
            "true", " 4"}) {
            assertThat(CsvValues.typed(text).isTextual()).as(text).isTrue();
            assertThat(CsvValues.typed(text).asText()).isEqualTo(text);
        }
    }

    @Test
    void should_leave_empty_cells_to_the_template() {
        assertThat(CsvValues.typed("")).isNull();
    }
}
