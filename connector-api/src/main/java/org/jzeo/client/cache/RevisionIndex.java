package org.jzeo.client.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * oid → its cached revisions: at most one current entry and any number of non-current ones by start tid, and the
 * loadBefore lookup of client-cache spec §4 on top. Invariant: an {@code (oid, start)} pair appears at most once.
 * Not thread-safe; {@link DiskCache} guards it.
 */
final class RevisionIndex {
    private static final class Revisions {
        CacheEntry current;
        TreeMap<Long, CacheEntry> noncurrent;
        /**
         * The largest end of {@link #noncurrent} (0 if none), kept up to date so that a store need not scan every
         * old revision of an object that is written often: a hot object collects thousands of them.
         */
        long newestEnd;

        boolean isEmpty() {
            return current == null && (noncurrent == null || noncurrent.isEmpty());
        }
    }

    private final Map<Long, Revisions> byOid = new HashMap<>();
    private int count;

    /**
     * The revision of {@code oid} a reader at snapshot {@code before} sees: the non-current entry with the largest
     * {@code start < before} if {@code before <= end}, otherwise the current entry if {@code start < before}.
     */
    CacheEntry find(long oid, long before) {
        Revisions r = byOid.get(oid);
        if (r == null) {
            return null;
        }
        if (r.noncurrent != null) {
            Map.Entry<Long, CacheEntry> e = r.noncurrent.lowerEntry(before);
            if (e != null && Long.compareUnsigned(before, e.getValue().end) <= 0) {
                return e.getValue();
            }
        }
        CacheEntry c = r.current;
        return c != null && Long.compareUnsigned(c.start(), before) < 0 ? c : null;
    }

    CacheEntry current(long oid) {
        Revisions r = byOid.get(oid);
        return r == null ? null : r.current;
    }

    CacheEntry get(long oid, long start) {
        Revisions r = byOid.get(oid);
        if (r == null) {
            return null;
        }
        if (r.current != null && r.current.start() == start) {
            return r.current;
        }
        return r.noncurrent == null ? null : r.noncurrent.get(start);
    }

    /** The largest end tid of the non-current revisions of {@code oid}, 0 if none. */
    long newestEnd(long oid) {
        Revisions r = byOid.get(oid);
        return r == null ? 0 : r.newestEnd;
    }

    private static long scanNewestEnd(Revisions r) {
        long newest = 0;
        if (r.noncurrent != null) {
            for (CacheEntry e : r.noncurrent.values()) {
                if (Long.compareUnsigned(e.end, newest) > 0) {
                    newest = e.end;
                }
            }
        }
        return newest;
    }

    /** Adds an entry whose {@code (oid, start)} is absent (and, if current, whose oid has no current entry). */
    void add(CacheEntry e) {
        Revisions r = byOid.computeIfAbsent(e.oid(), k -> new Revisions());
        if (e.isCurrent()) {
            if (r.current != null) {
                throw new IllegalStateException("oid " + Long.toHexString(e.oid()) + " already has a current entry");
            }
            r.current = e;
        } else {
            if (r.noncurrent == null) {
                r.noncurrent = new TreeMap<>(Long::compareUnsigned);
            }
            if (r.noncurrent.putIfAbsent(e.start(), e) != null) {
                throw new IllegalStateException("duplicate revision " + e.key);
            }
            if (Long.compareUnsigned(e.end, r.newestEnd) > 0) {
                r.newestEnd = e.end;
            }
        }
        count++;
    }

    /** Makes the current entry {@code e} non-current, ending at {@code end}. */
    void endCurrent(CacheEntry e, long end) {
        remove(e);
        e.end = end;
        add(e);
    }

    void remove(CacheEntry e) {
        Revisions r = byOid.get(e.oid());
        if (r == null) {
            return;
        }
        boolean removed;
        if (r.current == e) {
            r.current = null;
            removed = true;
        } else {
            removed = r.noncurrent != null && r.noncurrent.remove(e.start(), e);
            if (removed && e.end == r.newestEnd) {
                r.newestEnd = scanNewestEnd(r); // seldom: eviction mostly takes older revisions first
            }
        }
        if (removed) {
            count--;
        }
        if (r.isEmpty()) {
            byOid.remove(e.oid());
        }
    }

    /** Every entry of {@code oid}. */
    List<CacheEntry> entries(long oid) {
        Revisions r = byOid.get(oid);
        List<CacheEntry> all = new ArrayList<>();
        if (r != null) {
            if (r.current != null) {
                all.add(r.current);
            }
            if (r.noncurrent != null) {
                all.addAll(r.noncurrent.values());
            }
        }
        return all;
    }

    int size() {
        return count;
    }

    void clear() {
        byOid.clear();
        count = 0;
    }
}
