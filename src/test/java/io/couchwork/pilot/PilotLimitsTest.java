package io.couchwork.pilot;

import io.couchwork.token.PilotLimits;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.token.Token;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which tokens fit a pilot's time left, and where the time limit comes from. */
class PilotLimitsTest {

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    /** Stops claiming at 10:58 (an hour, less a two-minute margin); a token without timeout runs at most 10 minutes. */
    private static final PilotLimits HOUR = new PilotLimits(true, 0, Duration.ZERO, NOW.plusSeconds(3600),
            Duration.ofMinutes(2), 600);

    private static Token token(long timeoutSeconds, long notBefore) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode().put("_id", "t").put("type", "token").put("lock", 0)
                .put("done", 0);
        if (timeoutSeconds > 0) {
            doc.put("timeout", timeoutSeconds);
        }
        if (notBefore > 0) {
            doc.put("not_before", notBefore);
        }
        return new Token(doc);
    }

    @Test
    void a_token_fits_when_its_own_timeout_ends_before_the_margin() {
        assertThat(HOUR.fits(token(3480, 0), NOW)).isTrue();
        assertThat(HOUR.fits(token(3481, 0), NOW)).isFalse();
    }

    @Test
    void a_token_without_a_timeout_is_judged_by_the_default() {
        assertThat(HOUR.fits(token(0, 0), NOW.plusSeconds(3480 - 600))).isTrue();
        assertThat(HOUR.fits(token(0, 0), NOW.plusSeconds(3481 - 600))).isFalse();
    }

    @Test
    void a_delayed_token_counts_from_when_it_comes_due() {
        long dueIn50Minutes = NOW.plusSeconds(3000).getEpochSecond();
        assertThat(HOUR.fits(token(480, dueIn50Minutes), NOW)).isTrue();
        assertThat(HOUR.fits(token(481, dueIn50Minutes), NOW)).isFalse();
    }

    @Test
    void with_no_timeout_known_a_token_fits_while_it_can_start_before_the_margin() {
        PilotLimits unknownTimeouts = new PilotLimits(false, 0, Duration.ZERO, NOW.plusSeconds(3600),
                Duration.ofMinutes(2), 0);
        assertThat(unknownTimeouts.fits(token(0, 0), NOW.plusSeconds(3479))).isTrue();
        assertThat(unknownTimeouts.fits(token(0, 0), NOW.plusSeconds(3480))).isFalse();
    }

    @Test
    void without_a_deadline_everything_fits() {
        assertThat(PilotLimits.NONE.fits(token(1_000_000, 0), NOW)).isTrue();
        assertThat(PilotLimits.NONE.any()).isFalse();
    }

    @Test
    void slurm_tells_the_end_in_epoch_seconds_and_pbs_the_walltime_in_seconds() {
        assertThat(SchedulerWalltime.end(Map.of("SLURM_JOB_END_TIME", "1795860000"), NOW))
                .contains(Instant.ofEpochSecond(1795860000));
        assertThat(SchedulerWalltime.end(Map.of("PBS_WALLTIME", "7200"), NOW)).contains(NOW.plusSeconds(7200));
        assertThat(SchedulerWalltime.end(Map.of("SLURM_JOB_END_TIME", "0"), NOW)).isEmpty(); // no limit
        assertThat(SchedulerWalltime.end(Map.of("SLURM_JOB_ID", "12"), NOW)).isEmpty();
    }

    @Test
    void the_deadline_is_the_earlier_of_max_time_and_the_walltime() {
        var settings = new io.couchwork.config.SettingsReader(key -> java.util.Optional.ofNullable(
                Map.of("couchwork.pilot.max-time", "2h", "couchwork.exec.timeout", "1h").get(key)));
        assertThat(PilotSettings.read(settings, Map.of("PBS_WALLTIME", "3600"), NOW).deadline())
                .isEqualTo(NOW.plusSeconds(3600));
        assertThat(PilotSettings.read(settings, Map.of("PBS_WALLTIME", "86400"), NOW).deadline())
                .isEqualTo(NOW.plusSeconds(7200));
        PilotLimits limits = PilotSettings.read(settings, Map.of(), NOW);
        assertThat(limits.margin()).isEqualTo(Duration.ofMinutes(2));
        assertThat(limits.defaultTimeoutSeconds()).isEqualTo(3600);
    }
}
