package org.jzeo.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.jzeo.api.Oid;

/** New oids handed out from a local pool that is refilled 100 at a time, as the Python client does. */
final class OidPool {
    private final Deque<Oid> pool = new ArrayDeque<>();
    private final Supplier<List<Oid>> refill;

    OidPool(Supplier<List<Oid>> refill) {
        this.refill = refill;
    }

    synchronized List<Oid> take(int count) {
        List<Oid> taken = new ArrayList<>(count);
        while (taken.size() < count) {
            if (pool.isEmpty()) {
                pool.addAll(refill.get());
                if (pool.isEmpty()) {
                    throw new IllegalStateException("the server returned no new oids");
                }
            }
            taken.add(pool.removeFirst());
        }
        return taken;
    }

    /** Forgets the pool (after a reconnect the server may be a different one). */
    synchronized void clear() {
        pool.clear();
    }
}
