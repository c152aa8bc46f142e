package org.jzeo.objects;

/**
 * What an object connection's cache did: {@code hits} (an object asked for was in memory), {@code misses} (it was
 * read from the storage, which may have had it in the client cache), {@code evictions} (objects let go at a
 * transaction boundary because the cache was over its size), and now {@code held} (objects the cache holds) and
 * {@code live} (objects with an identity in this connection: held, or still used by the application).
 */
public record ObjectCacheStats(long hits, long misses, long evictions, int held, int live) {

    /** Hits as a share of all lookups, 0 when there were none. */
    public double hitRatio() {
        long all = hits + misses;
        return all == 0 ? 0 : (double) hits / all;
    }

    ObjectCacheStats plus(ObjectCacheStats other) {
        return new ObjectCacheStats(hits + other.hits, misses + other.misses, evictions + other.evictions,
                held + other.held, live + other.live);
    }
}
