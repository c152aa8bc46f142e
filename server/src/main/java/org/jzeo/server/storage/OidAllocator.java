package org.jzeo.server.storage;

import java.util.ArrayList;
import java.util.List;
import org.jzeo.api.Oid;

/**
 * Hands out new oids the way ZODB does: each above the largest oid seen, whether handed out or stored (a client
 * may store an oid it chose). Thread-safe. The first oid handed out by an empty storage is 1: 0 is the root.
 */
public final class OidAllocator {
    private long max;

    /** @param largestSeen the largest oid in the storage, unsigned; 0 when there is none */
    public OidAllocator(long largestSeen) {
        this.max = largestSeen;
    }

    public synchronized List<Oid> allocate(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("cannot allocate " + count + " oids");
        }
        List<Oid> oids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            max++;
            oids.add(Oid.of(max));
        }
        return oids;
    }

    /** Records a stored oid, so later allocations stay above it. */
    public synchronized void observe(long oid) {
        if (Long.compareUnsigned(oid, max) > 0) {
            max = oid;
        }
    }
}
