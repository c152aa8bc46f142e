package org.jzeo.api;

/**
 * Hands out {@link StorageConnection}s to one storage. In an application server it is what the resource adapter
 * binds in JNDI (inject it with {@code @Resource}); in Java SE, {@code org.jzeo.client.ClientConnectionFactory}
 * builds one from client options. Thread-safe.
 */
public interface StorageConnectionFactory {

    /**
     * A connection for the calling thread's work. Close it when done (try-with-resources): it goes back to the
     * factory's pool with its object cache.
     *
     * @throws DisconnectedException the storage is not reachable and nothing can be served
     */
    StorageConnection getConnection();
}
