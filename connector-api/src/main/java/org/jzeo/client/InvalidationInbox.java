package org.jzeo.client;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * What changed since a connection last looked: every invalidated oid with the newest tid that changed it, or
 * "everything" after the client cache was dropped. Filled by the client's I/O thread, emptied by the
 * connection's thread at each transaction start.
 */
final class InvalidationInbox implements ClientListener {
    private Map<Oid, Tid> changed = new HashMap<>();
    private boolean everything;

    @Override
    public synchronized void invalidated(Tid tid, Collection<Oid> oids) {
        for (Oid oid : oids) {
            changed.merge(oid, tid, (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    @Override
    public synchronized void cacheDropped() {
        everything = true;
    }

    /** The tid of the newest change of {@code oid} not yet taken, or null. */
    synchronized Tid changedAt(Oid oid) {
        return changed.get(oid);
    }

    /** Takes what arrived so far; {@code null} means "everything may have changed". */
    synchronized Map<Oid, Tid> take() {
        Map<Oid, Tid> taken = everything ? null : changed;
        changed = new HashMap<>();
        everything = false;
        return taken;
    }

    /** Forgets {@code oids} where {@code tid} is still their newest change (a commit of the connection's own). */
    synchronized void forget(Collection<Oid> oids, Tid tid) {
        for (Oid oid : oids) {
            changed.remove(oid, tid);
        }
    }
}
