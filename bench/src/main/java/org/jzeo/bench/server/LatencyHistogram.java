package org.jzeo.bench.server;

/**
 * A small log-linear latency histogram (nanoseconds, relative precision 1/64 ≈ 1.6 %), one per worker thread,
 * merged at the end of a phase. Not thread-safe.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private final long[] counts = new long[64 * SUB];
    private long total;
    private long max;

    void record(long nanos) {
        long v = Math.max(1, nanos);
        counts[index(v)]++;
        total++;
        max = Math.max(max, v);
    }

    private static int index(long v) {
        int exp = 63 - Long.numberOfLeadingZeros(v);
        if (exp < SUB_BITS) {
            return (int) v; // exact below 64 ns
        }
        int mantissa = (int) ((v >>> (exp - SUB_BITS)) & (SUB - 1));
        return (exp - SUB_BITS + 1) * SUB + mantissa;
    }

    /** The upper bound of bucket {@code i}, in ns. */
    private static long upper(int i) {
        if (i < SUB) {
            return i;
        }
        int exp = i / SUB - 1 + SUB_BITS;
        long mantissa = i % SUB;
        return ((SUB + mantissa + 1) << (exp - SUB_BITS)) - 1;
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    /** The latency at quantile {@code q} (0..1), in ns (upper bound of its bucket); 0 if empty. */
    long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upper(i), max);
            }
        }
        return max;
    }

    long max() {
        return max;
    }
}
