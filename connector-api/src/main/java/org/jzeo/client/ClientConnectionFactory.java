package org.jzeo.client;

import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;

/**
 * The Java SE connection factory: {@link StorageConnection}s over one {@link ClientStorage}, with an explicit
 * begin/commit/abort. Closed connections go back to a pool (as ZODB's DB pools its connections) and keep their
 * object caches and attachments, so the next user of a pooled connection reads hot objects from memory.
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
    private final ConnectionPool pool;

    /** Opens a ClientStorage with {@code options} (waiting for the server as they say) and owns it. */
    public ClientConnectionFactory(ClientOptions options) {
        this(new ClientStorage(options), true, DEFAULT_POOL_SIZE, DEFAULT_OBJECT_CACHE_SIZE);
    }

    /** Over an existing storage, which stays open when the factory closes. */
    public ClientConnectionFactory(ClientStorage storage) {
        this(storage, false, DEFAULT_POOL_SIZE, DEFAULT_OBJECT_CACHE_SIZE);
    }

    public ClientConnectionFactory(ClientStorage storage, boolean ownsStorage, int poolSize, int objectCacheSize) {
        this.pool = new ConnectionPool(new ConnectionSource.Client(storage), poolSize, objectCacheSize);
        this.storage = storage;
        this.ownsStorage = ownsStorage;
    }

    /** The storage the connections use. */
    public ClientStorage storage() {
        return storage;
    }

    /**
     * Conflicts merged by the connections' {@link org.jzeo.api.ConflictResolver}s so far, one per object in a
     * commit that went through.
     */
    public long resolvedConflicts() {
        return pool.resolvedConflicts().sum();
    }

    @Override
    public StorageConnection getConnection() {
        return pool.get();
    }

    @Override
    public void close() {
        if (pool.close() && ownsStorage) {
            storage.close();
        }
    }
}
