package org.jzeo.rar;

import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link ClientStorage} shared by every managed connection of one configuration and user, opened on first use
 * and signed on with that user's credentials.
 *
 * <p>Physical connections come from a {@link ClientConnectionFactory} with a pool of size 0: the container pools
 * managed connections, and a second pool underneath would hand a closed physical connection to someone else while
 * the container still counts it as its own.
 */
final class SharedStorage {
    private static final Logger LOG = LoggerFactory.getLogger(SharedStorage.class);

    private final StorageKey key;
    private final StorageSettings settings;
    /** Null until opened; guarded by this. */
    private ClientConnectionFactory connections;
    private boolean closed;

    SharedStorage(StorageKey key) {
        this.key = key;
        this.settings = key.settings();
    }

    StorageKey key() {
        return key;
    }

    synchronized boolean isOpen() {
        return connections != null;
    }

    /**
     * The connection factory over the storage, opening the storage if needed. Opening waits for the server up to
     * {@code waitTimeout}; concurrent callers wait with it rather than open a second storage. A failed open leaves
     * nothing behind, so the next call tries again.
     *
     * @throws org.jzeo.api.DisconnectedException the server was not reached in time
     * @throws org.jzeo.api.AuthenticationException the server refused the sign-on
     * @throws IllegalArgumentException            the settings are invalid
     * @throws IllegalStateException               the resource adapter stopped
     */
    synchronized ClientConnectionFactory connections() {
        if (closed) {
            throw new IllegalStateException("the jzeo resource adapter was stopped; storage '" + settings.storage()
                    + "' at " + settings.serverAddresses() + " is closed");
        }
        if (connections == null) {
            ClientStorage storage = new ClientStorage(key.clientOptions());
            // The user is named so that an operator (and the integration tests) can see who the adapter signed on as.
            LOG.info("opened storage '{}' at {} for the resource adapter as user {}", settings.storage(),
                    settings.serverAddresses(), key.user());
            connections = new ClientConnectionFactory(storage, true, 0,
                    ClientConnectionFactory.DEFAULT_OBJECT_CACHE_SIZE);
        }
        return connections;
    }

    /** Closes the storage (its connections are the container's to destroy); later opens are refused. */
    synchronized void close() {
        closed = true;
        if (connections != null) {
            LOG.info("closing storage '{}' at {} (user {})", settings.storage(), settings.serverAddresses(), key.user());
            connections.close();
            connections = null;
        }
    }
}
