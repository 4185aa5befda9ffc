package io.couchwork.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Latency samples in milliseconds, summarised as p50 and p99 (nearest rank). */
public final class Percentiles {

    private final List<Double> samples = new ArrayList<>();

    public synchronized void add(double millis) {
        samples.add(millis);
    }

    public synchronized double p(double percentile) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public synchronized int size() {
        return samples.size();
    }
}
