package org.jzeo.rar;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The smallest container pool that follows the Connectors contract: match an idle connection or create one,
 * cleanup and keep it when its handle closes, destroy it on an error. No transactions.
 */
final class PoolingConnectionManager implements ConnectionManager, ConnectionEventListener {
    final Set<ManagedConnection> idle = new HashSet<>();
    final List<ManagedConnection> created = new CopyOnWriteArrayList<>();
    final List<ManagedConnection> destroyed = new CopyOnWriteArrayList<>();

    @Override
    public synchronized Object allocateConnection(ManagedConnectionFactory factory, ConnectionRequestInfo info)
            throws ResourceException {
        ManagedConnection connection = factory.matchManagedConnections(idle, null, info);
        if (connection == null) {
            connection = factory.createManagedConnection(null, info);
            connection.addConnectionEventListener(this);
            created.add(connection);
        }
        idle.remove(connection);
        return connection.getConnection(null, info);
    }

    @Override
    public synchronized void connectionClosed(ConnectionEvent event) {
        ManagedConnection connection = (ManagedConnection) event.getSource();
        try {
            connection.cleanup();
        } catch (ResourceException e) {
            throw new IllegalStateException(e);
        }
        idle.add(connection);
    }

    @Override
    public synchronized void connectionErrorOccurred(ConnectionEvent event) {
        ManagedConnection connection = (ManagedConnection) event.getSource();
        idle.remove(connection);
        destroyed.add(connection);
        try {
            connection.destroy();
        } catch (ResourceException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void localTransactionStarted(ConnectionEvent event) {
    }

    @Override
    public void localTransactionCommitted(ConnectionEvent event) {
    }

    @Override
    public void localTransactionRolledback(ConnectionEvent event) {
    }
}
