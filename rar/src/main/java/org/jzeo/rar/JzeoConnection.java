package org.jzeo.rar;

import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.Revision;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;

/**
 * The connection handle an application gets from {@link JzeoConnectionFactory}: a {@link StorageConnection} whose
 * calls go to its managed connection's physical connection. Several handles of one managed connection share its
 * transaction.
 *
 * <p><b>Transactions.</b> Inside a container transaction (XA, or a container-demarcated local transaction)
 * {@link #begin()}, {@link #commit()} and {@link #abort()} are refused with an {@link IllegalStateException}: the
 * container ends that transaction. Outside one they demarcate an application local transaction, one phase, as
 * in Java SE.
 *
 * <p><b>Life cycle.</b> {@link #close()} gives the connection back to the container's pool; afterwards every call
 * fails with an {@link IllegalStateException}. A call that fails because the server is unreachable also tells the
 * container to discard the managed connection; the {@link DisconnectedException} still reaches the application,
 * which may retry with a new connection.
 */
public final class JzeoConnection implements StorageConnection {
    /** Null once closed or invalidated; guarded by this for changes. */
    private volatile JzeoManagedConnection managed;
    private volatile String closedBecause;

    JzeoConnection(JzeoManagedConnection managed) {
        this.managed = managed;
    }

    @Override
    public void begin() {
        run(m -> m.localTransactions().beginByApplication(this));
    }

    @Override
    public Tid commit() {
        return call(m -> m.localTransactions().commitByApplication(this));
    }

    @Override
    public void abort() {
        run(m -> m.localTransactions().abortByApplication(this));
    }

    @Override
    public boolean inTransaction() {
        return call(m -> m.physical().inTransaction());
    }

    @Override
    public StoredObject read(Oid oid) {
        return call(m -> m.physical().read(oid));
    }

    @Override
    public void prefetch(Collection<Oid> oids) {
        run(m -> m.physical().prefetch(oids));
    }

    @Override
    public boolean exists(Oid oid) {
        return call(m -> m.physical().exists(oid));
    }

    @Override
    public void write(Oid oid, byte[] payload, Collection<Oid> references) {
        run(m -> m.physical().write(oid, payload, references));
    }

    @Override
    public Oid newOid() {
        return call(m -> m.physical().newOid());
    }

    @Override
    public Oid rootOid() {
        return call(m -> m.physical().rootOid());
    }

    @Override
    public Tid lastTransaction() {
        return call(m -> m.physical().lastTransaction());
    }

    @Override
    public List<Revision> history(Oid oid, int size) {
        return call(m -> m.physical().history(oid, size));
    }

    /**
     * Gives the connection back to the container. When this was the last open handle, an application local
     * transaction still open is aborted (a container transaction is not touched: the container ends it).
     */
    @Override
    public void close() {
        JzeoManagedConnection m;
        synchronized (this) {
            m = managed;
            if (m == null) {
                return;
            }
            closedBecause = "this connection handle is closed"; // before managed: requireOpen reads them so
            managed = null;
        }
        m.closed(this);
    }

    // ---------------------------------------------------------------- for the managed connection

    /** The container cleaned up or destroyed the managed connection: this handle is dead, without an event. */
    synchronized void invalidate() {
        if (managed != null) {
            closedBecause = "this connection handle was invalidated: the container took its connection back";
            managed = null;
        }
    }

    /** Moves this handle to {@code target} (ManagedConnection.associateConnection). */
    synchronized void associate(JzeoManagedConnection target) {
        JzeoManagedConnection current = requireOpen();
        if (current != target) {
            current.release(this);
            target.adopt(this);
            managed = target;
        }
    }

    /** The managed connection this handle uses now, or null once closed. */
    JzeoManagedConnection managedConnection() {
        return managed;
    }

    // ---------------------------------------------------------------- plumbing

    private void run(Consumer<JzeoManagedConnection> step) {
        call(m -> {
            step.accept(m);
            return null;
        });
    }

    /** Runs a call on the current managed connection; a lost server is also reported to the container. */
    private <T> T call(Function<JzeoManagedConnection, T> step) {
        JzeoManagedConnection m = requireOpen();
        try {
            return step.apply(m);
        } catch (DisconnectedException e) {
            m.failed(this, e);
            throw e;
        }
    }

    private JzeoManagedConnection requireOpen() {
        JzeoManagedConnection m = managed;
        if (m == null) {
            throw new IllegalStateException(closedBecause);
        }
        return m;
    }

    // Placeholders until the hooks are wired (issue 13, in progress).
    @Override
    public void setTransactionInfo(String user, String description, java.util.Map<String, Object> extension) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public java.util.List<org.jzeo.api.TransactionInfo> undoLog(int first, int last) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void undo(org.jzeo.api.Tid tid) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void setTransactionListener(org.jzeo.api.TransactionListener listener) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void setConflictResolver(org.jzeo.api.ConflictResolver resolver) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public <T> T attachment(Object key, java.util.function.Supplier<T> ifAbsent) {
        throw new UnsupportedOperationException("not yet");
    }
}
