package org.jzeo.client.cache;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The free extents of the cache file, in memory: best-fit allocation, neighbours merged on release (up to
 * {@link CacheFileFormat#MAX_BLOCK}). Only bookkeeping: the caller writes the matching block prefixes. An extent
 * merged here may still be several free blocks on disk, which is why {@link DiskCache} rewrites the prefix of a
 * whole extent before carving a record out of it.
 */
final class FreeSpace {
    /** A free range of the file. */
    record Extent(long offset, int length) {
    }

    private final TreeMap<Long, Integer> byOffset = new TreeMap<>();
    private final TreeSet<Extent> bySize =
            new TreeSet<>(Comparator.comparingInt(Extent::length).thenComparingLong(Extent::offset));
    private long freeBytes;

    /** Marks {@code [offset, offset+length)} free, merging it with free neighbours. */
    void release(long offset, int length) {
        Map.Entry<Long, Integer> before = byOffset.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() > offset) {
            throw new IllegalStateException("double free at " + offset);
        }
        Map.Entry<Long, Integer> after = byOffset.ceilingEntry(offset);
        if (after != null && after.getKey() < offset + length) {
            throw new IllegalStateException("double free at " + after.getKey());
        }
        freeBytes += length;
        long off = offset;
        long len = length;
        if (before != null && before.getKey() + before.getValue() == offset
                && before.getValue() + len <= CacheFileFormat.MAX_BLOCK) {
            remove(before.getKey(), before.getValue());
            off = before.getKey();
            len += before.getValue();
        }
        if (after != null && after.getKey() == offset + length && len + after.getValue() <= CacheFileFormat.MAX_BLOCK) {
            remove(after.getKey(), after.getValue());
            len += after.getValue();
        }
        add(off, (int) len);
    }

    /**
     * Takes the smallest extent of at least {@code size} bytes and returns it whole; its tail beyond {@code size}
     * stays free. Null when no extent is large enough.
     */
    Extent allocate(int size) {
        Extent e = bySize.ceiling(new Extent(Long.MIN_VALUE, size));
        if (e == null) {
            return null;
        }
        remove(e.offset(), e.length());
        if (e.length() > size) {
            add(e.offset() + size, e.length() - size);
        }
        freeBytes -= size;
        return e;
    }

    long freeBytes() {
        return freeBytes;
    }

    void clear() {
        byOffset.clear();
        bySize.clear();
        freeBytes = 0;
    }

    private void add(long offset, int length) {
        byOffset.put(offset, length);
        bySize.add(new Extent(offset, length));
    }

    private void remove(long offset, int length) {
        byOffset.remove(offset);
        bySize.remove(new Extent(offset, length));
    }
}
