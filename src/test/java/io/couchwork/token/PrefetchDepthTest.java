package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tokens claimed ahead: fixed, or sized from the measured job and claim times. */
class PrefetchDepthTest {

    private static final long MS = 1_000_000;

    @Test
    void should_keep_a_fixed_depth() {
        PrefetchDepth depth = PrefetchDepth.fixed(4, 7);
        depth.jobTook(MS);
        depth.claimTook(500 * MS);
        assertThat(depth.depth()).isEqualTo(7);
    }

    @Test
    void should_start_at_the_concurrency_until_it_has_measured() {
        PrefetchDepth depth = PrefetchDepth.auto(4);
        assertThat(depth.depth()).isEqualTo(4);
        depth.jobTook(10 * MS);
        assertThat(depth.depth()).isEqualTo(4);
    }

    @Test
    void should_cover_two_claim_round_trips_at_the_pace_jobs_finish() {
        PrefetchDepth depth = PrefetchDepth.auto(1);
        depth.jobTook(4 * MS);
        depth.claimTook(54 * MS); // a cluster's _bulk_docs
        assertThat(depth.depth()).isEqualTo(27);

        PrefetchDepth four = PrefetchDepth.auto(4);
        four.jobTook(20 * MS);
        four.claimTook(5 * MS);
        assertThat(four.depth()).isEqualTo(2);
    }

    @Test
    void should_hold_nothing_ahead_for_long_jobs() {
        PrefetchDepth depth = PrefetchDepth.auto(4);
        depth.jobTook(60_000 * MS);
        depth.claimTook(50 * MS);
        assertThat(depth.depth()).isZero();
    }

    @Test
    void should_never_exceed_a_claim_batch() {
        PrefetchDepth depth = PrefetchDepth.auto(16);
        depth.jobTook(MS);
        depth.claimTook(100 * MS);
        assertThat(depth.depth()).isEqualTo(PrefetchDepth.MAX_AUTO);
    }

    @Test
    void should_follow_a_change_of_pace_gradually() {
        PrefetchDepth depth = PrefetchDepth.auto(1);
        depth.jobTook(10 * MS);
        depth.claimTook(10 * MS);
        assertThat(depth.depth()).isEqualTo(2);
        depth.jobTook(300 * MS); // one slow job among fast ones
        assertThat(depth.depth()).isEqualTo(1);
        for (int i = 0; i < 100; i++) {
            depth.jobTook(1000 * MS);
        }
        assertThat(depth.depth()).isZero();
    }
}
