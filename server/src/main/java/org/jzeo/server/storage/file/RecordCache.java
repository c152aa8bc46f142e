package org.jzeo.server.storage.file;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.LongFunction;

/**
 * Records recently read from one data file, by file position, bounded in bytes.
 *
 * <p>Why: serving a load from the page cache still costs a positional read, a system call which on a virtual
 * machine is a good part of the server's CPU per load. A record at a published position never changes (the file
 * only grows; a pack swaps in another file, and the cache is cleared then), so entries need no invalidation when
 * objects change: a commit writes new records at new positions, and the index points loads there.
 *
 * <p>Caffeine, because a cache bounded by weight that many threads read at once, with a hit rate close to the best
 * possible for what was recently and frequently read, is exactly what it is made for.
 */
final class RecordCache {
    /** Records larger than this are read from the file every time: they would push out many small ones. */
    static final int MAX_RECORD_BYTES = 64 * 1024;
    /** What an entry costs beside its data: key, header, entry and array headers, roughly. */
    private static final int ENTRY_OVERHEAD = 160;

    private final Cache<Long, DataFile.Loaded> cache;

    /** @param maxBytes the bound; 0 keeps nothing */
    RecordCache(long maxBytes) {
        this.cache = maxBytes <= 0 ? null : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                // Its upkeep on the reading thread, a little at a time: handing it to a pool woke a thread per burst
                // of inserts, which cost more than the upkeep itself.
                .executor(Runnable::run)
                .weigher((Long pos, DataFile.Loaded r) -> ENTRY_OVERHEAD + (r.data() == null ? 0 : r.data().length))
                .build();
    }

    /** The record at {@code pos}, from the cache or read by {@code read} (and then kept if small enough). */
    DataFile.Loaded get(long pos, LongFunction<DataFile.Loaded> read) {
        if (cache == null) {
            return read.apply(pos);
        }
        DataFile.Loaded hit = cache.getIfPresent(pos);
        if (hit != null) {
            return hit;
        }
        DataFile.Loaded loaded = read.apply(pos);
        if (loaded.data() == null || loaded.data().length <= MAX_RECORD_BYTES) {
            cache.put(pos, loaded);
        }
        return loaded;
    }

    /** The record at {@code pos} if it is in the cache; null otherwise. */
    DataFile.Loaded peek(long pos) {
        return cache == null ? null : cache.getIfPresent(pos);
    }

    /** Forgets everything (the file was replaced). */
    void clear() {
        if (cache != null) {
            cache.invalidateAll();
        }
    }
}
