package io.couchwork.pilot;

import io.couchwork.config.SettingsReader;
import io.couchwork.token.PilotLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The couchwork.pilot.* settings and the scheduler's walltime, as a run's {@link PilotLimits}. */
public final class PilotSettings {

    private PilotSettings() {}

    /** The limits of a run that starts at {@code start}; the deadline is the earlier of max-time and the walltime. */
    public static PilotLimits read(SettingsReader settings, Map<String, String> env, Instant start) {
        Duration maxTime = settings.duration("couchwork.pilot.max-time", "0s");
        Optional<Instant> walltime = SchedulerWalltime.end(env, start);
        Instant deadline = maxTime.isZero() ? null : start.plus(maxTime);
        if (walltime.isPresent() && (deadline == null || walltime.get().isBefore(deadline))) {
            deadline = walltime.get();
        }
        return new PilotLimits(settings.bool("couchwork.pilot.until-empty", false),
                settings.integer("couchwork.pilot.max-tokens", 0, 0),
                settings.duration("couchwork.pilot.idle-timeout", "0s"), deadline,
                settings.duration("couchwork.pilot.margin", "2m"),
                settings.duration("couchwork.exec.timeout", "0s").toSeconds());
    }

    /** The limits in words, for the log. */
    public static String describe(PilotLimits limits) {
        List<String> parts = new ArrayList<>();
        if (limits.untilEmpty()) {
            parts.add("until the pool is drained");
        }
        if (limits.maxTokens() > 0) {
            parts.add("at most " + limits.maxTokens() + " tokens");
        }
        if (!limits.idleTimeout().isZero()) {
            parts.add("idle timeout " + limits.idleTimeout());
        }
        if (limits.deadline() != null) {
            parts.add("time limit " + limits.deadline() + ", claiming and jobs stop at " + limits.stopAt());
        }
        return String.join(", ", parts);
    }
}
