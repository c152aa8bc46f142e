package org.jzeo.server.metrics;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with fixed bucket bounds that any number of threads may record into without locks. A
 * {@link Snapshot} is internally consistent: its counts are cumulative (Prometheus' {@code le} buckets) and its
 * total count is exactly the {@code +Inf} bucket. The sum may lag the counts by the recordings in flight.
 */
public final class LatencyHistogram {
    /** Upper bounds in seconds, from 100 µs (a cached load) to 10 s (a commit stuck behind a lock wait). */
    public static final double[] DEFAULT_BOUNDS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final double[] boundsSeconds;
    private final long[] boundsNanos;
    /** One per bound, then one for everything above the last bound; not cumulative. */
    private final LongAdder[] buckets;
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        this(DEFAULT_BOUNDS_SECONDS);
    }

    /** @param boundsSeconds strictly increasing, positive upper bounds */
    public LatencyHistogram(double[] boundsSeconds) {
        this.boundsSeconds = boundsSeconds.clone();
        this.boundsNanos = new long[boundsSeconds.length];
        for (int i = 0; i < boundsSeconds.length; i++) {
            if (!(boundsSeconds[i] > 0) || (i > 0 && boundsSeconds[i] <= boundsSeconds[i - 1])) {
                throw new IllegalArgumentException("bounds must be positive and increasing: "
                        + Arrays.toString(boundsSeconds));
            }
            boundsNanos[i] = Math.round(boundsSeconds[i] * 1e9);
        }
        this.buckets = new LongAdder[boundsSeconds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Records one observation of {@code nanos} (a negative duration, from a clock step, counts as 0). */
    public void record(long nanos) {
        long n = Math.max(0, nanos);
        int index = Arrays.binarySearch(boundsNanos, n);
        buckets[index >= 0 ? index : -index - 1].increment();
        sumNanos.add(n);
    }

    /** Records the time since {@code startNanos}, a {@link System#nanoTime()} reading. */
    public void recordSince(long startNanos) {
        record(System.nanoTime() - startNanos);
    }

    public Snapshot snapshot() {
        long[] cumulative = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulative[i] = running;
        }
        return new Snapshot(boundsSeconds.clone(), cumulative, sumNanos.sum() / 1e9);
    }

    /**
     * The histogram at one moment.
     *
     * @param boundsSeconds    the finite upper bounds
     * @param cumulativeCounts observations at or below each bound, then the total (the {@code +Inf} bucket);
     *                         one longer than {@code boundsSeconds}, never decreasing
     * @param sumSeconds       the sum of every observation
     */
    public record Snapshot(double[] boundsSeconds, long[] cumulativeCounts, double sumSeconds) {
        public long count() {
            return cumulativeCounts[cumulativeCounts.length - 1];
        }

        /** The mean in seconds, 0 when nothing was recorded. */
        public double meanSeconds() {
            long count = count();
            return count == 0 ? 0 : sumSeconds / count;
        }
    }
}
