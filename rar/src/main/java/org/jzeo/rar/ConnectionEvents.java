package org.jzeo.rar;

import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ManagedConnection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container's listeners of one managed connection and the events sent to them. A listener that throws does
 * not keep the others from hearing the event: the pool relies on every one of them.
 */
final class ConnectionEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionEvents.class);

    private final ManagedConnection source;
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();

    ConnectionEvents(ManagedConnection source) {
        this.source = source;
    }

    void add(ConnectionEventListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        listeners.add(listener);
    }

    void remove(ConnectionEventListener listener) {
        listeners.remove(listener);
    }

    /** The application closed {@code handle}: the container may return the connection to its pool. */
    void closed(Object handle) {
        fire(event(ConnectionEvent.CONNECTION_CLOSED, handle, null));
    }

    /** The connection is broken: the container must destroy it instead of pooling it. */
    void errorOccurred(Object handle, Exception cause) {
        fire(event(ConnectionEvent.CONNECTION_ERROR_OCCURRED, handle, cause));
    }

    void localTransactionStarted(Object handle) {
        fire(event(ConnectionEvent.LOCAL_TRANSACTION_STARTED, handle, null));
    }

    void localTransactionCommitted(Object handle) {
        fire(event(ConnectionEvent.LOCAL_TRANSACTION_COMMITTED, handle, null));
    }

    void localTransactionRolledBack(Object handle) {
        fire(event(ConnectionEvent.LOCAL_TRANSACTION_ROLLEDBACK, handle, null));
    }

    private ConnectionEvent event(int id, Object handle, Exception cause) {
        ConnectionEvent event = cause == null ? new ConnectionEvent(source, id) : new ConnectionEvent(source, id, cause);
        if (handle != null) {
            event.setConnectionHandle(handle);
        }
        return event;
    }

    private void fire(ConnectionEvent event) {
        for (ConnectionEventListener listener : listeners) {
            try {
                switch (event.getId()) {
                    case ConnectionEvent.CONNECTION_CLOSED -> listener.connectionClosed(event);
                    case ConnectionEvent.CONNECTION_ERROR_OCCURRED -> listener.connectionErrorOccurred(event);
                    case ConnectionEvent.LOCAL_TRANSACTION_STARTED -> listener.localTransactionStarted(event);
                    case ConnectionEvent.LOCAL_TRANSACTION_COMMITTED -> listener.localTransactionCommitted(event);
                    case ConnectionEvent.LOCAL_TRANSACTION_ROLLEDBACK -> listener.localTransactionRolledback(event);
                    default -> throw new IllegalArgumentException("unknown connection event " + event.getId());
                }
            } catch (RuntimeException e) {
                LOG.warn("connection event listener {} failed on event {}", listener, event.getId(), e);
            }
        }
    }
}
