package io.couchwork.pilot;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The end of the batch job's walltime, where the scheduler tells it: Slurm's SLURM_JOB_END_TIME, PBS's PBS_WALLTIME. */
public final class SchedulerWalltime {

    private SchedulerWalltime() {}

    /**
     * The job's end: Slurm's epoch seconds, else PBS's walltime in seconds counted from {@code start} (PBS does not say
     * when the job began; the margin covers what ran before us); empty when neither is set or readable.
     */
    public static Optional<Instant> end(Map<String, String> env, Instant start) {
        Optional<Long> slurm = seconds(env.get("SLURM_JOB_END_TIME"));
        if (slurm.isPresent()) {
            return slurm.map(Instant::ofEpochSecond);
        }
        return seconds(env.get("PBS_WALLTIME")).map(start::plusSeconds);
    }

    private static Optional<Long> seconds(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            long seconds = Long.parseLong(value.strip());
            return seconds > 0 ? Optional.of(seconds) : Optional.empty(); // Slurm writes 0 for no limit
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
