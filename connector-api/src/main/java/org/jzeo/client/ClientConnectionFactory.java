package org.jzeo.client;

import java.util.ArrayDeque;
import java.util.Deque;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;

/**
 * The Java SE connection factory: {@link StorageConnection}s over one {@link ClientStorage}, with an explicit
 * begin/commit/abort. Closed connections go back to a pool (as ZODB's DB pools its connections) and keep their
 * object caches, so the next user of a pooled connection reads hot objects from memory.
 *
 * <pre>{@code
 * try (ClientConnectionFactory factory = new ClientConnectionFactory(ClientOptions.of("127.0.0.1:8100"));
 *      StorageConnection c = factory.getConnection()) {
 *     c.begin();
 *     c.write(c.rootOid(), payload, List.of());
 *     c.commit();
 * }
 * }</pre>
 */
public final class ClientConnectionFactory implements StorageConnectionFactory, AutoCloseable {
    /** ZODB's default pool size. */
    public static final int DEFAULT_POOL_SIZE = 7;
    /** Objects each connection keeps decoded in memory. */
    public static final int DEFAULT_OBJECT_CACHE_SIZE = 10_000;

    private final ClientStorage storage;
    private final boolean ownsStorage;
    private final int poolSize;
    private final int objectCacheSize;
    private final Deque<ClientStorageConnection> idle = new ArrayDeque<>();
    private boolean closed;

    /** Opens a ClientStorage with {@code options} (waiting for the server as they say) and owns it. */
    public ClientConnectionFactory(ClientOptions options) {
        this(new ClientStorage(options), true, DEFAULT_POOL_SIZE, DEFAULT_OBJECT_CACHE_SIZE);
    }

    /** Over an existing storage, which stays open when the factory closes. */
    public ClientConnectionFactory(ClientStorage storage) {
        this(storage, false, DEFAULT_POOL_SIZE, DEFAULT_OBJECT_CACHE_SIZE);
    }

    public ClientConnectionFactory(ClientStorage storage, boolean ownsStorage, int poolSize, int objectCacheSize) {
        if (poolSize < 0 || objectCacheSize < 0) {
            throw new IllegalArgumentException("pool and object cache sizes must not be negative");
        }
        this.storage = storage;
        this.ownsStorage = ownsStorage;
        this.poolSize = poolSize;
        this.objectCacheSize = objectCacheSize;
    }

    /** The storage the connections use. */
    public ClientStorage storage() {
        return storage;
    }

    @Override
    public StorageConnection getConnection() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("connection factory is closed");
            }
            ClientStorageConnection pooled = idle.pollFirst();
            if (pooled != null) {
                pooled.reuse();
                return pooled;
            }
        }
        return new ClientStorageConnection(storage, this, objectCacheSize);
    }

    /** Takes a closed connection back; false when the pool is full or the factory closed. */
    synchronized boolean giveBack(ClientStorageConnection connection) {
        if (closed || idle.size() >= poolSize) {
            return false;
        }
        idle.addFirst(connection);
        return true;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            idle.forEach(ClientStorageConnection::discard);
            idle.clear();
        }
        if (ownsStorage) {
            storage.close();
        }
    }
}
