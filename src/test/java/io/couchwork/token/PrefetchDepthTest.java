package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tokens claimed ahead: fixed, or sized from the measured job and claim times. */
class PrefetchDepthTest {

    private static final long MS = 1_000_000;

    /** Auto depth after one measured job and claim. */
    private static PrefetchDepth measured(PrefetchDepth depth, long jobMs, long claimMs) {
        depth.jobTook(jobMs * MS);
        depth.claimTook(claimMs * MS);
        return depth;
    }

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
        assertThat(measured(PrefetchDepth.auto(1), 4, 54).depth()).isEqualTo(27); // a cluster's _bulk_docs
        assertThat(measured(PrefetchDepth.auto(4), 20, 5).depth()).isEqualTo(2);
    }

    @Test
    void should_hold_nothing_ahead_for_long_jobs() {
        assertThat(measured(PrefetchDepth.auto(4), 60_000, 50).depth()).isZero();
    }

    @Test
    void should_never_exceed_a_claim_batch() {
        assertThat(measured(PrefetchDepth.auto(16), 1, 100).depth()).isEqualTo(PrefetchDepth.MAX_AUTO);
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

    @Test
    void should_count_a_claim_round_trip_as_at_least_one_write_interval() {
        // claims go out with the writer's batches, at most once per interval: cover two of them, not two fast claims
        assertThat(measured(PrefetchDepth.auto(1, java.time.Duration.ofMillis(20)), 2, 5).depth()).isEqualTo(20);
        assertThat(measured(PrefetchDepth.auto(1), 2, 5).depth()).isEqualTo(5);
        // long jobs still hold nothing ahead
        assertThat(measured(PrefetchDepth.auto(4, java.time.Duration.ofMillis(20)), 60_000, 5).depth()).isZero();
    }
}
