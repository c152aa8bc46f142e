package org.jzeo.client.cache;

import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.LoadResult;

/**
 * The client's second-level cache of object revisions, keyed by {@code (oid, start tid)} and valid over
 * {@code [start, end)}; {@code end == null} marks the current revision (client-cache spec §1, §4).
 *
 * <p>Thread-safe: application threads read while the connection's I/O thread stores load replies and applies
 * invalidations. Every operation is atomic with respect to the others.
 */
public interface ClientCache extends AutoCloseable {

    /**
     * The cached revision of {@code oid} visible to a reader whose snapshot is {@code before} (the newest
     * revision with {@code start < before} whose validity covers it), or null on a miss.
     */
    LoadResult loadBefore(Oid oid, Tid before);

    /**
     * Whether {@link #loadBefore} would probably find a revision, without reading it or counting a hit (a prefetch
     * asks this to skip what the cache has). A damaged entry may still make the load miss.
     */
    default boolean mayContain(Oid oid, Tid before) {
        return loadBefore(oid, before) != null;
    }

    /**
     * Stores a revision as the server returned it; {@code end == null} stores it as current. A revision already
     * present is left alone. Records too large for the cache are silently not cached.
     */
    void store(Oid oid, Tid start, Tid end, byte[] data);

    /** A transaction {@code tid} changed {@code oid}: its current revision (if cached) now ends at {@code tid}. */
    void invalidate(Oid oid, Tid tid);

    /** Forgets every revision of {@code oid} (verification after a reconnect, a conflict on vote). */
    void drop(Oid oid);

    /** Forgets every revision; the last tid is kept until the caller sets it again. */
    void clear();

    /** The newest tid this cache has heard of ({@link Tid#ZERO} if none). */
    Tid lastTid();

    /**
     * Records that the cache is up to date with {@code tid}: written to the file (not fsynced) before this
     * returns for a persistent cache, after every earlier store and invalidation. {@link Tid#ZERO} is ignored;
     * a tid older than the current one is refused with IllegalArgumentException.
     */
    void setLastTid(Tid tid);

    /** Number of cached revisions. */
    int entryCount();

    /** Counters since open. */
    CacheStats stats();

    @Override
    void close();
}
