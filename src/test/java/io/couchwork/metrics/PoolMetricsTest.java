package io.couchwork.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.couchwork.token.Outcome;
import io.couchwork.token.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How an execution's outcome is counted: as the retry policy will decide it, so the counters match the views. */
class PoolMetricsTest {

    private final RetryPolicy policy = RetryPolicy.of(3, Duration.ofSeconds(1), Duration.ofSeconds(2), Set.of(9));

    @Test
    void should_count_exit_code_zero_as_done_and_a_failure_with_attempts_left_as_retry() {
        assertThat(PoolMetrics.outcomeName(0, finished(0), policy)).isEqualTo("done");
        assertThat(PoolMetrics.outcomeName(1, finished(3), policy)).isEqualTo("retry");
        assertThat(PoolMetrics.outcomeName(0, new Outcome.Failed("boom", "X", true, List.of()), policy))
                .isEqualTo("retry");
    }

    @Test
    void should_count_the_last_attempt_and_non_retryable_failures_as_error_and_releases_not_at_all() {
        assertThat(PoolMetrics.outcomeName(2, finished(3), policy)).isEqualTo("error");
        assertThat(PoolMetrics.outcomeName(0, finished(9), policy)).isEqualTo("error");
        assertThat(PoolMetrics.outcomeName(0, new Outcome.Failed("boom", "X", false, List.of()), policy))
                .isEqualTo("error");
        assertThat(PoolMetrics.outcomeName(0, new Outcome.Released("shutdown"), policy)).isNull();
    }

    private static Outcome finished(int exitCode) {
        return new Outcome.Finished(exitCode, null, List.of(), null);
    }
}
