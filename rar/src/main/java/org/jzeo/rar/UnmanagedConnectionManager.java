package org.jzeo.rar;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import java.io.Serial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection manager of a connection factory used outside a container (non-managed): one managed connection
 * per handle, destroyed when the handle closes or the server is lost. No pool and no transaction enlistment: the
 * application demarcates with begin/commit/abort on the handle. (The shared client storage stays warm, so a new
 * managed connection costs little.)
 */
final class UnmanagedConnectionManager implements ConnectionManager {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UnmanagedConnectionManager.class);

    @Override
    public Object allocateConnection(ManagedConnectionFactory factory, ConnectionRequestInfo requestInfo)
            throws ResourceException {
        ManagedConnection connection = factory.createManagedConnection(null, requestInfo);
        connection.addConnectionEventListener(new DestroyWhenDone());
        return connection.getConnection(null, requestInfo);
    }

    /** Destroys the managed connection when its one handle is closed or it broke. */
    private static final class DestroyWhenDone implements ConnectionEventListener {
        @Override
        public void connectionClosed(ConnectionEvent event) {
            destroy(event);
        }

        @Override
        public void connectionErrorOccurred(ConnectionEvent event) {
            destroy(event);
        }

        @Override
        public void localTransactionStarted(ConnectionEvent event) {
            // the application demarcates; nothing to track without a container
        }

        @Override
        public void localTransactionCommitted(ConnectionEvent event) {
            // as above
        }

        @Override
        public void localTransactionRolledback(ConnectionEvent event) {
            // as above
        }

        private static void destroy(ConnectionEvent event) {
            try {
                ((ManagedConnection) event.getSource()).destroy();
            } catch (ResourceException e) {
                LOG.warn("could not destroy a jzeo managed connection", e);
            }
        }
    }
}
