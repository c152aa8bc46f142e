package org.jzeo.rar;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;
import org.jzeo.api.ConflictResolver;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionListener;
import org.jzeo.client.ClientStorage;
import org.jzeo.client.Credentials;
import org.jzeo.client.StorageXAResource;

/**
 * One physical {@link StorageConnection} over the configuration's shared {@link ClientStorage}, as the container
 * pools it: it hands out {@link JzeoConnection} handles, takes part in XA through {@link #getXAResource()} and in
 * local transactions through {@link #getLocalTransaction()}, and tells the container when a handle closes or the
 * server is lost.
 *
 * <p>All handles of one managed connection share its physical connection and so its transaction (connection
 * sharing within one container transaction).
 */
public final class JzeoManagedConnection implements ManagedConnection {
    private final JzeoManagedConnectionFactory factory;
    /** Who its storage signed on as (null: nobody); the pool hands it only to requests for the same. */
    private final Credentials credentials;
    private final ClientStorage storage;
    private final StorageConnection physical;
    private final ConnectionEvents events = new ConnectionEvents(this);
    private final LocalTransactions localTransactions;
    private final ContainerLocalTransaction containerLocalTransaction;
    private final Set<JzeoConnection> handles = new CopyOnWriteArraySet<>();
    /** Created once: a transaction manager may compare or re-enlist the same instance. */
    private XAResource xaResource;
    private volatile boolean destroyed;
    private volatile PrintWriter logWriter;
    /** The thread calling this connection's transaction listener or conflict resolver right now, if any. */
    private volatile Thread callingListener;

    JzeoManagedConnection(JzeoManagedConnectionFactory factory, Credentials credentials, ClientStorage storage,
                          StorageConnection physical) {
        this.factory = factory;
        this.credentials = credentials;
        this.storage = storage;
        this.physical = physical;
        this.localTransactions = new LocalTransactions(physical, events);
        this.containerLocalTransaction = new ContainerLocalTransaction(this, localTransactions);
        this.logWriter = factory.getLogWriter();
    }

    /** A new handle on this connection; every handle sees the same transaction. */
    @Override
    public Object getConnection(Subject subject, ConnectionRequestInfo requestInfo) throws ResourceException {
        requireNotDestroyed();
        JzeoConnection handle = new JzeoConnection(this);
        handles.add(handle);
        return handle;
    }

    /** Moves a handle from its current managed connection to this one (the container's lazy re-association). */
    @Override
    public void associateConnection(Object connection) throws ResourceException {
        requireNotDestroyed();
        if (!(connection instanceof JzeoConnection handle)) {
            throw new ResourceException("not a jzeo connection handle: " + connection);
        }
        handle.associate(this);
    }

    /** Called by a handle changing hands: it now belongs to this connection. */
    void adopt(JzeoConnection handle) {
        handles.add(handle);
    }

    /** Called by a handle changing hands: it no longer belongs to this connection. */
    void release(JzeoConnection handle) {
        handles.remove(handle);
    }

    /**
     * Back to the pool: every handle is invalidated, and a local transaction left open is aborted. An XA branch
     * is left alone: it belongs to the transaction manager, which completes it through the XAResource.
     */
    @Override
    public void cleanup() throws ResourceException {
        invalidateHandles();
        localTransactions.reset();
    }

    /** Closes the physical connection; the shared storage stays open for the other connections. */
    @Override
    public void destroy() throws ResourceException {
        if (destroyed) {
            return;
        }
        destroyed = true;
        invalidateHandles();
        localTransactions.reset();
        physical.close();
    }

    private void invalidateHandles() {
        List<JzeoConnection> all = List.copyOf(handles);
        handles.clear();
        all.forEach(JzeoConnection::invalidate);
    }

    @Override
    public void addConnectionEventListener(ConnectionEventListener listener) {
        events.add(listener);
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener listener) {
        events.remove(listener);
    }

    /**
     * The XA face of the physical connection, also for recovery: a container recovering transactions creates a
     * managed connection with its recovery credentials (signed on as that user, who must be the application's user
     * or an admin to complete another user's branches) and calls {@code recover}, {@code commit} and
     * {@code rollback} here; those go to the server through that user's storage.
     */
    @Override
    public synchronized XAResource getXAResource() throws ResourceException {
        requireNotDestroyed();
        if (xaResource == null) {
            StorageXAResource resource = StorageXAResource.of(physical);
            int timeout = factory.defaultTransactionTimeoutSeconds();
            if (timeout > 0) {
                resource.setTransactionTimeout(timeout); // the transaction manager may set its own later
            }
            xaResource = resource;
        }
        return xaResource;
    }

    @Override
    public LocalTransaction getLocalTransaction() throws ResourceException {
        requireNotDestroyed();
        return containerLocalTransaction;
    }

    @Override
    public ManagedConnectionMetaData getMetaData() throws ResourceException {
        return new JzeoMetaData(storage, credentials == null ? null : credentials.username());
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    // ---------------------------------------------------------------- for the handles and the factory

    JzeoManagedConnectionFactory factory() {
        return factory;
    }

    /** Who this connection's storage signed on as; null for nobody. */
    Credentials credentials() {
        return credentials;
    }

    /** The shared storage under this connection. */
    ClientStorage storage() {
        return storage;
    }

    /** The physical connection for a handle's call; IllegalStateException once destroyed. */
    StorageConnection physical() {
        if (destroyed) {
            throw new IllegalStateException("this connection was destroyed by the container");
        }
        return physical;
    }

    LocalTransactions localTransactions() {
        return localTransactions;
    }

    /** A handle was closed by the application. */
    void closed(JzeoConnection handle) {
        handles.remove(handle);
        if (handles.isEmpty()) {
            localTransactions.lastHandleClosed(handle);
        }
        events.closed(handle);
    }

    /** A call failed because the server is gone: the container must discard this connection. */
    void failed(JzeoConnection handle, DisconnectedException cause) {
        events.errorOccurred(handle, cause);
    }

    /** Usable for pooling: not destroyed, and its storage has a live session with the server. */
    boolean isValid() {
        return !destroyed && storage.isConnected();
    }

    boolean isDestroyed() {
        return destroyed;
    }

    /** True on the thread that is calling this connection's listener or conflict resolver. */
    boolean isCallingListener() {
        return callingListener == Thread.currentThread();
    }

    /** {@code listener}, noting while it runs that this connection is calling it (see {@link #isCallingListener}). */
    TransactionListener scoped(TransactionListener listener) {
        return new TransactionListener() {
            @Override
            public void invalidated(Collection<Oid> oids) {
                calling(() -> listener.invalidated(oids));
            }

            @Override
            public void beforeCompletion() {
                calling(listener::beforeCompletion);
            }

            @Override
            public void afterCompletion(Completion completion, Tid tid) {
                calling(() -> listener.afterCompletion(completion, tid));
            }
        };
    }

    /** {@code resolver}, noting while it runs that this connection is calling it. */
    ConflictResolver scoped(ConflictResolver resolver) {
        return (oid, old, committed, mine) -> {
            StoredObject[] merged = new StoredObject[1];
            calling(() -> merged[0] = resolver.resolve(oid, old, committed, mine));
            return merged[0];
        };
    }

    private void calling(Runnable callback) {
        Thread previous = callingListener;
        callingListener = Thread.currentThread();
        try {
            callback.run();
        } finally {
            callingListener = previous;
        }
    }

    private void requireNotDestroyed() throws ResourceException {
        if (destroyed) {
            throw new jakarta.resource.spi.IllegalStateException("this jzeo managed connection was destroyed");
        }
    }
}
