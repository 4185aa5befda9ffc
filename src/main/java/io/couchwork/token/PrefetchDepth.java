package io.couchwork.token;

import java.time.Duration;

/**
 * How many tokens a worker keeps claimed ahead of its free execution slots. Fixed when the user says so; otherwise
 * ("auto") enough to keep every slot busy for two claim round trips at the pace jobs finish now: many for short jobs on
 * a slow server (a cluster's _bulk_docs takes tens of milliseconds, a shell job a few), none for jobs of minutes, which
 * would otherwise sit on tokens other workers could run. Both figures are moving averages of what this worker measured.
 * A round trip counts as at least the write interval: claims then go out in batches about that often, as results do,
 * instead of one request per token or two (a request costs CouchDB far more than a document in it).
 */
public final class PrefetchDepth {

    /** Most tokens claimed ahead in auto mode: a claim batch's worth. */
    public static final int MAX_AUTO = 100;
    private static final double WEIGHT = 0.1;
    /** Below a tenth of a token per round trip, claiming when a slot frees costs less than holding one idle. */
    private static final double WORTHWHILE = 0.1;

    private final int concurrency;
    private final int fixed;
    private final long minRoundTripNanos;
    private double jobNanos = Double.NaN;
    private double claimNanos = Double.NaN;

    private PrefetchDepth(int concurrency, int fixed, Duration minRoundTrip) {
        this.concurrency = concurrency;
        this.fixed = fixed;
        this.minRoundTripNanos = minRoundTrip.toNanos();
    }

    /** Always {@code depth} tokens ahead. */
    public static PrefetchDepth fixed(int concurrency, int depth) {
        return new PrefetchDepth(concurrency, depth, Duration.ZERO);
    }

    /** Ahead by what the measured pace needs; {@code concurrency} until the first job and claim were measured. */
    public static PrefetchDepth auto(int concurrency) {
        return auto(concurrency, Duration.ZERO);
    }

    /** As {@link #auto(int)}, counting a claim round trip as at least {@code writeInterval}. */
    public static PrefetchDepth auto(int concurrency, Duration writeInterval) {
        return new PrefetchDepth(concurrency, -1, writeInterval);
    }

    public synchronized void jobTook(long nanos) {
        jobNanos = average(jobNanos, nanos);
    }

    public synchronized void claimTook(long nanos) {
        claimNanos = average(claimNanos, nanos);
    }

    /** Tokens to hold claimed beyond the execution slots now. */
    public synchronized int depth() {
        if (fixed >= 0) {
            return fixed;
        }
        if (Double.isNaN(jobNanos) || Double.isNaN(claimNanos)) {
            return concurrency;
        }
        double perRoundTrip = concurrency * Math.max(claimNanos, minRoundTripNanos) / Math.max(jobNanos, 1);
        if (perRoundTrip < WORTHWHILE) {
            return 0;
        }
        return (int) Math.min(MAX_AUTO, Math.ceil(2 * perRoundTrip));
    }

    private static double average(double current, long sample) {
        return Double.isNaN(current) ? sample : current + WEIGHT * (sample - current);
    }
}
