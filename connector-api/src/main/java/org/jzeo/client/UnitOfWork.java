package org.jzeo.client;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jzeo.api.Oid;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;

/**
 * One transaction's state on the client before it reaches the server: its snapshot, the serials it read, the
 * objects it wrote and the oids it created. A local transaction owns one; an XA branch keeps one between
 * {@code start} and {@code prepare}, possibly across several connections (join, suspend, resume).
 */
final class UnitOfWork {
    /** The last transaction of the snapshot. */
    final Tid snapshot;
    /** The snapshot as loadBefore wants it: reads see revisions written before this tid. */
    final Tid before;
    /** Serial of each object read; ZERO for objects not found. */
    final Map<Oid, Tid> readSerials = new HashMap<>();
    final Map<Oid, StoredObject> writes = new LinkedHashMap<>();
    final Set<Oid> created = new HashSet<>();
    final long startedNanos = System.nanoTime();

    UnitOfWork(Tid snapshot) {
        this.snapshot = snapshot;
        this.before = snapshot.next();
    }
}
