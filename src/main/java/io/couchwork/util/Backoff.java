package io.couchwork.util;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with full jitter, capped: the delay before retry number {@code attempt} (1-based). */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {

    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0 || multiplier < 1.0 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("invalid backoff " + initial + ".." + max + " x" + multiplier + " jitter " + jitter);
        }
    }

    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, max, 2.0, 0.2);
    }

    /** The capped exponential delay without jitter. */
    public Duration nominalDelay(int attempt) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return Duration.ofMillis((long) Math.min(millis, max.toMillis()));
    }

    /** The nominal delay, randomly shortened by up to {@code jitter} of itself so that retrying clients spread out. */
    public Duration delay(int attempt, RandomGenerator random) {
        long nominal = nominalDelay(attempt).toMillis();
        long spread = (long) (nominal * jitter);
        return Duration.ofMillis(nominal - (spread == 0 ? 0 : random.nextLong(spread + 1)));
    }
}
