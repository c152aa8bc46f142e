package org.jzeo.client;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pool of {@link PooledConnection}s over one {@link ConnectionSource}, shared by {@link ClientConnectionFactory}
 * and {@link EmbeddedConnectionFactory}: closed connections come back here (as ZODB's DB pools its connections)
 * with their object caches and attachments, up to {@code poolSize}; the others are discarded.
 */
final class ConnectionPool {
    private final ConnectionSource source;
    private final int poolSize;
    private final int objectCacheSize;
    private final Deque<PooledConnection> idle = new ArrayDeque<>();
    private final LongAdder resolvedConflicts = new LongAdder();
    private boolean closed;

    ConnectionPool(ConnectionSource source, int poolSize, int objectCacheSize) {
        if (poolSize < 0 || objectCacheSize < 0) {
            throw new IllegalArgumentException("pool and object cache sizes must not be negative");
        }
        this.source = source;
        this.poolSize = poolSize;
        this.objectCacheSize = objectCacheSize;
    }

    ConnectionSource source() {
        return source;
    }

    int objectCacheSize() {
        return objectCacheSize;
    }

    /** Conflicts the connections' resolvers merged (counted per object, when the commit went through). */
    LongAdder resolvedConflicts() {
        return resolvedConflicts;
    }

    /** An idle connection reopened for its next user, or a new one. */
    PooledConnection get() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("connection factory is closed");
            }
            PooledConnection pooled = idle.pollFirst();
            if (pooled != null) {
                pooled.reuse();
                return pooled;
            }
        }
        return new PooledConnection(this);
    }

    /** Takes a closed connection back; false when the pool is full or closed. */
    synchronized boolean giveBack(PooledConnection connection) {
        if (closed || idle.size() >= poolSize) {
            return false;
        }
        idle.addFirst(connection);
        return true;
    }

    /** Discards the idle connections; connections still in use are discarded when they are closed. */
    synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        idle.forEach(PooledConnection::discard);
        idle.clear();
        return true;
    }
}
