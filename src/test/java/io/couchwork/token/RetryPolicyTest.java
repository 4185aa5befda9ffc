package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When a failed token may run again, and how long it waits first: exponential, capped, with jitter. */
class RetryPolicyTest {

    private final RetryPolicy policy = RetryPolicy.of(3, Duration.ofSeconds(10), Duration.ofSeconds(60), Set.of(2, 64));

    @Test
    void should_retry_until_the_attempt_that_reaches_max_attempts() {
        assertThat(policy.mayRetry(0, 1, true)).isTrue();
        assertThat(policy.mayRetry(1, 1, true)).isTrue();
        assertThat(policy.mayRetry(2, 1, true)).isFalse();
        assertThat(policy.mayRetry(5, 1, true)).isFalse();
    }

    @Test
    void should_never_retry_with_a_single_attempt() {
        RetryPolicy once = RetryPolicy.of(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Set.of());
        assertThat(once.mayRetry(0, 1, true)).isFalse();
    }

    @Test
    void should_not_retry_a_non_retryable_failure() {
        assertThat(policy.mayRetry(0, null, false)).isFalse();
        assertThat(policy.mayRetry(0, 1, false)).isFalse();
    }

    @Test
    void should_not_retry_a_non_retryable_exit_code() {
        assertThat(policy.mayRetry(0, 2, true)).isFalse();
        assertThat(policy.mayRetry(0, 64, true)).isFalse();
        assertThat(policy.mayRetry(0, 3, true)).isTrue();
        assertThat(policy.mayRetry(0, null, true)).isTrue();
    }

    @Test
    void should_copy_the_non_retryable_exit_codes() {
        Set<Integer> codes = new java.util.HashSet<>(Set.of(2));
        RetryPolicy copied = RetryPolicy.of(3, Duration.ofSeconds(1), Duration.ofSeconds(1), codes);
        codes.add(3);
        assertThat(copied.nonRetryableExitCodes()).containsExactly(2);
    }

    @Test
    void should_wait_exponentially_longer_with_up_to_a_fifth_of_jitter() {
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            assertThat(policy.notBefore(1000, 1, random)).isBetween(1008L, 1010L);
            assertThat(policy.notBefore(1000, 2, random)).isBetween(1016L, 1020L);
            assertThat(policy.notBefore(1000, 3, random)).isBetween(1032L, 1040L);
        }
    }

    @Test
    void should_cap_the_wait_at_the_maximum_delay() {
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            assertThat(policy.notBefore(1000, 4, random)).isBetween(1048L, 1060L);
            assertThat(policy.notBefore(1000, 1000, random)).isBetween(1048L, 1060L);
        }
    }

    @Test
    void should_spread_waits_over_the_jitter_band() {
        Random random = new Random(1);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 500; i++) {
            long wait = policy.notBefore(0, 4, random);
            min = Math.min(min, wait);
            max = Math.max(max, wait);
        }
        assertThat(min).isBetween(48L, 50L);
        assertThat(max).isBetween(58L, 60L);
    }

    @Test
    void should_round_a_sub_second_delay_up_to_a_whole_second() {
        RetryPolicy quick = RetryPolicy.of(3, Duration.ofMillis(300), Duration.ofMillis(300), Set.of());
        assertThat(quick.notBefore(1000, 1, new Random(1))).isEqualTo(1001);
        RetryPolicy none = RetryPolicy.of(3, Duration.ZERO, Duration.ZERO, Set.of());
        assertThat(none.notBefore(1000, 1, new Random(1))).isEqualTo(1001);
    }
}
