package org.jzeo.client.cache;

import java.util.function.Consumer;

/**
 * Decides which cached revisions leave when the cache needs room, counting bytes. One implementation serves both
 * {@link DiskCache} and {@link CacheSimulator}, so a simulated hit ratio is the one the real cache gets.
 *
 * <p>Not thread-safe: the caller serialises every call with its own lock, except that {@link #hit} may run
 * concurrently with other {@code hit} calls (never with a mutation). Implementations keep {@code hit} to a map
 * lookup and a benign, racy counter update.
 */
public interface EvictionPolicy {

    /**
     * Starts tracking {@code key} (not tracked yet) of {@code bytes}, then evicts until the tracked bytes fit the
     * capacity, reporting every victim to {@code evicted}. The victim may be {@code key} itself.
     */
    void add(RevisionKey key, long bytes, Consumer<RevisionKey> evicted);

    /** {@code key} was read from the cache. Unknown keys are ignored. */
    void hit(RevisionKey key);

    /** The cache dropped {@code key} for its own reasons (invalidation, drop); not an eviction. */
    void remove(RevisionKey key);

    /**
     * Evicts one more entry although the bytes fit (the cache's file is too fragmented for a record), or returns
     * null when nothing is tracked.
     */
    RevisionKey evictOne();

    /** Forgets everything, including the policy's history. */
    void clear();

    long usedBytes();

    long capacityBytes();

    int size();

    /** A short name for reports: "s3-fifo", "fifo". */
    String name();

    /** jzeo's policy: S3-FIFO (see {@link S3FifoPolicy}). */
    static EvictionPolicy s3Fifo(long capacityBytes) {
        return new S3FifoPolicy(capacityBytes);
    }

    /** ZEO's policy without its second chance: a plain FIFO, for comparison. */
    static EvictionPolicy fifo(long capacityBytes) {
        return new FifoPolicy(capacityBytes);
    }
}
