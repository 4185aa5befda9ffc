package io.couchwork.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Exponential backoff with jitter. */
class BackoffTest {

    private final Backoff backoff = Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(30));

    @Test
    void should_double_the_delay_up_to_the_cap() {
        assertThat(backoff.nominalDelay(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.nominalDelay(2)).isEqualTo(Duration.ofMillis(1000));
        assertThat(backoff.nominalDelay(5)).isEqualTo(Duration.ofMillis(8000));
        assertThat(backoff.nominalDelay(7)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.nominalDelay(500)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void should_spread_delays_within_the_jitter_band() {
        Random random = new Random(42);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            long delay = backoff.delay(3, random).toMillis();
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }
        assertThat(min).isBetween(1600L, 1650L);
        assertThat(max).isBetween(1950L, 2000L);
    }
}
