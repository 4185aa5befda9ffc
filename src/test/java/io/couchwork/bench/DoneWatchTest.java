package io.couchwork.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The steady-state rate rests on enough reads between 10 % and 90 % of the tokens, or is not given. */
class DoneWatchTest {

    private static final long MS = 1_000_000;

    @Test
    void reads_spread_over_the_row_give_the_rate_between_ten_and_ninety_percent() {
        List<long[]> progress = new ArrayList<>();
        for (int i = 0; i <= 20; i++) {
            progress.add(new long[] {i * 100 * MS, i * 50L}); // 500 tokens/s, 1000 tokens
        }
        assertThat(DoneWatch.steadyPerSecond(progress, 1000)).isEqualTo(500.0);
    }

    @Test
    void two_reads_on_either_side_of_a_long_lag_give_no_rate() {
        // the watch lagged behind from 5 % to 95 %: its reads in between brought full batches and were not sampled
        List<long[]> progress = List.of(new long[] {0, 0}, new long[] {100 * MS, 50}, new long[] {4_000 * MS, 120},
                new long[] {4_100 * MS, 950}, new long[] {4_200 * MS, 1000});
        assertThat(DoneWatch.steadyPerSecond(progress, 1000)).isNaN();
    }
}
