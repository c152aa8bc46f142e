package org.jzeo.client;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.api.StoredObject;

/**
 * A connection's first-level cache: decoded objects with the validity range of the revision they came from,
 * least recently used evicted beyond a count. Used by one thread; kept coherent by dropping invalidated oids at
 * each transaction start.
 */
final class ObjectCache {
    /** A decoded revision valid for snapshots in ({@code start}, {@code end}]; {@code end} null while current. */
    record Entry(StoredObject object, Tid start, Tid end) {
        boolean visibleBefore(Tid before) {
            return start.isBefore(before) && (end == null || !end.isBefore(before));
        }
    }

    private final LinkedHashMap<Oid, Entry> entries;

    ObjectCache(int maxObjects) {
        this.entries = new LinkedHashMap<>(Math.min(maxObjects, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Oid, Entry> eldest) {
                return size() > maxObjects;
            }
        };
    }

    /** The cached object visible to snapshot {@code before}, or null. */
    StoredObject get(Oid oid, Tid before) {
        Entry entry = entries.get(oid);
        return entry != null && entry.visibleBefore(before) ? entry.object() : null;
    }

    void put(Oid oid, Entry entry) {
        entries.put(oid, entry);
    }

    void remove(Oid oid) {
        entries.remove(oid);
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }
}
