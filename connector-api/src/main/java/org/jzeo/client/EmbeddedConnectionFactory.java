package org.jzeo.client;

import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;
import org.jzeo.storage.Storage;

/**
 * {@link StorageConnection}s over a {@link Storage} in this JVM, without a server: the same connections as
 * {@link ClientConnectionFactory}'s (snapshots, object caches, pooling, listeners, conflict resolution, undo), for
 * an application that embeds its database, and for tests.
 *
 * <p>The factory becomes the storage's one {@link org.jzeo.storage.CommitListener} (to tell its connections of
 * every commit), so the storage must not be served or listened to by anything else meanwhile. Conflicts are
 * resolved under the storage's locks ({@link org.jzeo.storage.StorageTransaction#voteAllowingConflicts()}) where
 * the storage supports it. Connections cannot take part in XA: {@link StorageXAResource} needs a server.
 *
 * <pre>{@code
 * // storage: e.g. the server module's MemoryStorage or FileStorage, opened by the application
 * try (EmbeddedConnectionFactory factory = new EmbeddedConnectionFactory(storage, true);
 *      StorageConnection c = factory.getConnection()) {
 *     c.begin();
 *     c.write(c.rootOid(), payload, List.of());
 *     c.commit();
 * }
 * }</pre>
 */
public final class EmbeddedConnectionFactory implements StorageConnectionFactory, AutoCloseable {
    private final Storage storage;
    private final boolean ownsStorage;
    private final LocalInvalidations invalidations;
    private final ConnectionPool pool;

    /** Over {@code storage}, closing it with the factory if {@code ownsStorage}. */
    public EmbeddedConnectionFactory(Storage storage, boolean ownsStorage) {
        this(storage, ownsStorage, ClientConnectionFactory.DEFAULT_POOL_SIZE,
                ClientConnectionFactory.DEFAULT_OBJECT_CACHE_SIZE);
    }

    public EmbeddedConnectionFactory(Storage storage, boolean ownsStorage, int poolSize, int objectCacheSize) {
        this.storage = storage;
        this.ownsStorage = ownsStorage;
        this.invalidations = new LocalInvalidations(storage);
        this.pool = new ConnectionPool(invalidations, poolSize, objectCacheSize);
    }

    /** The storage the connections use. */
    public Storage storage() {
        return storage;
    }

    /** Conflicts merged by the connections' resolvers so far, one per object in a commit that went through. */
    public long resolvedConflicts() {
        return pool.resolvedConflicts().sum();
    }

    @Override
    public StorageConnection getConnection() {
        return pool.get();
    }

    /** Discards the idle connections, stops listening to the storage and closes it if the factory owns it. */
    @Override
    public void close() {
        if (!pool.close()) {
            return;
        }
        invalidations.detach();
        if (ownsStorage) {
            storage.close();
        }
    }
}
