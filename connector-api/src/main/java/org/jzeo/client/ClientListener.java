package org.jzeo.client;

import java.util.Collection;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.net.ServerAddress;

/**
 * Told what happens to a {@link ClientStorage}: the object layer and the resource adapter listen to drop stale
 * objects and to follow the connection. Methods may run on the client's I/O or connector thread: they must be
 * quick and must not call the storage's blocking methods.
 */
public interface ClientListener {

    /**
     * Transaction {@code tid} changed {@code oids}; for other clients' commits, for this client's own, and for
     * objects found changed while the client was away (verification). Called in tid order, after the client
     * cache was updated and before {@link ClientStorage#lastTransaction()} shows {@code tid}: a reader that takes
     * its snapshot from lastTransaction() has therefore already been told of every change up to it.
     */
    default void invalidated(Tid tid, Collection<Oid> oids) {
    }

    /** The client cache was dropped (it was too old to verify): every object held above it may be stale. */
    default void cacheDropped() {
    }

    /** Connected to {@code address} and verified; {@code readOnly} when writes are refused there. */
    default void connected(ServerAddress address, boolean readOnly) {
    }

    /** The connection to {@code address} was lost ({@code cause} null for a deliberate close). */
    default void disconnected(ServerAddress address, Throwable cause) {
    }
}
