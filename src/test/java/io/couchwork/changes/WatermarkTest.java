package io.couchwork.changes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The low watermark: the checkpoint passes only changes that are finished, and all before them. */
class WatermarkTest {

    @Test
    void should_not_pass_a_change_still_in_flight() {
        Watermark watermark = new Watermark("start");
        Object a = watermark.admit("seq-a");
        Object b = watermark.admit("seq-b");
        Object c = watermark.admit("seq-c");
        watermark.finish(b);
        watermark.finish(c);
        assertThat(watermark.checkpoint()).isEqualTo("start");
        assertThat(watermark.inFlight()).isEqualTo(3);
        watermark.finish(a);
        assertThat(watermark.checkpoint()).isEqualTo("seq-c");
        assertThat(watermark.inFlight()).isZero();
    }

    @Test
    void should_advance_over_a_finished_prefix_only() {
        Watermark watermark = new Watermark(null);
        Object a = watermark.admit("1-opaque");
        watermark.admit("2-opaque");
        watermark.finish(a);
        assertThat(watermark.checkpoint()).isEqualTo("1-opaque");
        assertThat(watermark.inFlight()).isEqualTo(1);
    }
}
