package org.jzeo.client.cache;

/** Counters of a {@link ClientCache} since it was opened. */
public record CacheStats(long hits, long misses, long stores, long invalidations, long evictions, long bytesUsed,
        long capacityBytes) {

    /** hits / (hits + misses), 0 before the first load. */
    public double hitRatio() {
        long loads = hits + misses;
        return loads == 0 ? 0.0 : (double) hits / loads;
    }
}
