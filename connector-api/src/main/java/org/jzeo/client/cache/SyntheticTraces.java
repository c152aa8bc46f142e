package org.jzeo.client.cache;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Reproducible synthetic traces of loads for {@link CacheSimulator}: every object has {@value #OBJECT_SIZE} bytes,
 * and the same arguments always give the same trace.
 */
public final class SyntheticTraces {
    public static final int OBJECT_SIZE = 300;
    public static final long DEFAULT_SEED = 42;

    private SyntheticTraces() {
    }

    /** {@code loads} loads of {@code objects} objects whose popularity follows Zipf with exponent {@code s}. */
    public static CacheSimulator.TraceSource zipf(int objects, long loads, double s, long seed) {
        double[] cdf = zipfCdf(objects, s);
        return sink -> {
            SplittableRandom random = new SplittableRandom(seed);
            for (long i = 0; i < loads; i++) {
                sink.accept(load(sample(cdf, random)));
            }
        };
    }

    /**
     * A hot set (a fifth of the objects, Zipf s=1) read all the time, interrupted by long sequential scans over
     * the cold objects (each a tenth of all objects); about a third of the loads belong to scans.
     */
    public static CacheSimulator.TraceSource scan(int objects, long loads, long seed) {
        int hot = Math.max(1, objects / 5);
        int cold = Math.max(1, objects - hot);
        int scanLength = Math.max(1, objects / 10);
        double scanStart = 1.0 / (2.0 * scanLength);
        double[] cdf = zipfCdf(hot, 1.0);
        return sink -> {
            SplittableRandom random = new SplittableRandom(seed);
            long cursor = 0;
            int scanning = 0;
            for (long i = 0; i < loads; i++) {
                if (scanning == 0 && random.nextDouble() < scanStart) {
                    scanning = scanLength;
                }
                if (scanning > 0) {
                    scanning--;
                    sink.accept(load(hot + (cursor++ % cold)));
                } else {
                    sink.accept(load(sample(cdf, random)));
                }
            }
        };
    }

    private static TraceEvent load(long object) {
        return new TraceEvent(0, TraceEvent.Type.LOAD_MISS, object + 1, 0, OBJECT_SIZE);
    }

    /** Cumulative probabilities of ranks 1..n with weight 1/rank^s. */
    private static double[] zipfCdf(int n, double s) {
        if (n <= 0) {
            throw new IllegalArgumentException("need at least one object, got " + n);
        }
        double[] cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, s);
            cdf[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= sum;
        }
        return cdf;
    }

    /** A rank (0 = most popular) drawn from the distribution. */
    private static int sample(double[] cdf, SplittableRandom random) {
        int i = Arrays.binarySearch(cdf, random.nextDouble());
        return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
    }
}
