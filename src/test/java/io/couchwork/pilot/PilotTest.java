package io.couchwork.pilot;

import io.couchwork.token.PilotEnd;
import io.couchwork.token.PilotLimits;
import io.couchwork.token.Pilot;
import static org.assertj.core.api.Assertions.assertThat;

import io.couchwork.ExitCode;
import io.couchwork.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a pilot ends: its claim budget, its idle timer, its time limit, and the workers that finished claiming. */
class PilotTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final List<PilotEnd> ends = new ArrayList<>();

    private Pilot pilot(boolean untilEmpty, int maxTokens, Duration idle, Duration maxTime) {
        return new Pilot(new PilotLimits(untilEmpty, maxTokens, idle, maxTime == null ? null
                : clock.instant().plus(maxTime), Duration.ofMinutes(2), 0), clock, ends::add);
    }

    @Test
    void the_claim_budget_is_shared_and_given_back_when_unclaimed() {
        Pilot pilot = pilot(false, 5, Duration.ZERO, null);
        assertThat(pilot.reserve(3)).isEqualTo(3);
        assertThat(pilot.reserve(3)).isEqualTo(2);
        pilot.giveBack(1);
        assertThat(pilot.claimsSpent()).isFalse();
        assertThat(pilot.reserve(10)).isEqualTo(1);
        assertThat(pilot.claimsSpent()).isTrue();
    }

    @Test
    void the_run_ends_when_every_worker_has_finished_claiming() {
        Pilot pilot = pilot(true, 0, Duration.ZERO, null);
        Object first = new Object();
        Object second = new Object();
        pilot.join(first);
        pilot.join(second);
        pilot.workerFinished(first);
        assertThat(ends).isEmpty();
        pilot.workerFinished(second);
        assertThat(ends).containsExactly(PilotEnd.DRAINED);
        assertThat(pilot.end()).contains(PilotEnd.DRAINED);
    }

    @Test
    void a_drained_pool_with_tokens_too_long_for_the_time_left_ends_as_a_time_limit() {
        Pilot pilot = pilot(true, 0, Duration.ZERO, Duration.ofMinutes(10));
        Object worker = new Object();
        pilot.join(worker);
        var doc = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("_id", "t")
                .put("timeout", 3600);
        assertThat(pilot.fits(new io.couchwork.token.Token(doc))).isFalse();
        pilot.workerFinished(worker);
        assertThat(ends).containsExactly(PilotEnd.TIME_LIMIT);
        assertThat(PilotEnd.TIME_LIMIT.exitCode()).isEqualTo(ExitCode.TIME_LIMIT);
        assertThat(ExitCode.TIME_LIMIT.code()).isEqualTo(75);
    }

    @Test
    void the_idle_timer_runs_only_while_nothing_is_running() {
        Pilot pilot = pilot(false, 0, Duration.ofMinutes(5), null);
        pilot.jobClaimed();
        clock.advance(Duration.ofMinutes(6));
        pilot.check();
        assertThat(ends).isEmpty();
        pilot.jobFinished();
        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        pilot.check();
        assertThat(ends).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        pilot.check();
        assertThat(ends).containsExactly(PilotEnd.IDLE_TIMEOUT);
        assertThat(ExitCode.IDLE_TIMEOUT.code()).isEqualTo(3);
    }

    @Test
    void the_time_limit_ends_the_run_a_margin_before_the_deadline_and_cuts_the_shutdown_grace() {
        Pilot pilot = pilot(false, 0, Duration.ZERO, Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(7).plusSeconds(50));
        assertThat(pilot.grace(Duration.ofSeconds(25))).isEqualTo(Duration.ofSeconds(10));
        pilot.check();
        assertThat(ends).isEmpty();
        clock.advance(Duration.ofSeconds(10));
        pilot.check();
        pilot.check();
        assertThat(ends).containsExactly(PilotEnd.TIME_LIMIT);
        assertThat(pilot.grace(Duration.ofSeconds(25))).isZero();
    }
}
