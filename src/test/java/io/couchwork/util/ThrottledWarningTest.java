package io.couchwork.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.couchwork.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A failure repeated every second is logged once a minute with a count, and its end once. */
class ThrottledWarningTest {

    @Test
    void should_log_the_first_failure_then_once_per_interval_and_the_recovery_once() {
        List<String> lines = new ArrayList<>();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        ThrottledWarning warning = new ThrottledWarning(m -> lines.add("WARN " + m), m -> lines.add("INFO " + m),
                Duration.ofMinutes(1), clock);
        warning.succeeded("works again"); // nothing failed yet: nothing to say
        for (int second = 0; second < 90; second++) {
            warning.failed("gone");
            clock.advance(Duration.ofSeconds(1));
        }
        warning.succeeded("works again");
        warning.succeeded("works again");
        assertThat(lines).containsExactly("WARN gone", "WARN gone (failed 60 times since the last warning)",
                "INFO works again");
    }
}
