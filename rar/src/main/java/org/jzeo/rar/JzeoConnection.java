package org.jzeo.rar;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jzeo.api.ConflictResolver;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.Revision;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionInfo;
import org.jzeo.api.TransactionListener;

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
    /**
     * The managed connection this handle belonged to when it was closed or invalidated: its transaction listener
     * may still call through this handle while the managed connection is calling it (a bean closes its handle
     * before the container ends the branch, and the object layer writes through the handle it last used).
     */
    private volatile JzeoManagedConnection former;

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
    public boolean supportsBlobs() {
        return call(m -> m.physical().supportsBlobs());
    }

    @Override
    public void writeBlob(Oid oid, byte[] payload, Collection<Oid> references, java.io.InputStream content) {
        run(m -> m.physical().writeBlob(oid, payload, references, content));
    }

    @Override
    public java.io.InputStream openBlob(Oid oid) {
        return call(m -> m.physical().openBlob(oid));
    }

    @Override
    public long blobSize(Oid oid) {
        return call(m -> m.physical().blobSize(oid));
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
            former = m;
            managed = null;
        }
        m.closed(this);
    }

    // ---------------------------------------------------------------- for the managed connection

    /** The container cleaned up or destroyed the managed connection: this handle is dead, without an event. */
    synchronized void invalidate() {
        if (managed != null) {
            closedBecause = "this connection handle was invalidated: the container took its connection back";
            former = managed;
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
            JzeoManagedConnection f = former;
            if (f != null && f.isCallingListener()) {
                return f; // the managed connection's own listener, at XA end or a local commit
            }
            throw new IllegalStateException(closedBecause);
        }
        return m;
    }

    // ---------------------------------------------------------------- metadata, undo, hooks

    @Override
    public void setTransactionInfo(String user, String description, Map<String, Object> extension) {
        run(m -> m.physical().setTransactionInfo(user, description, extension));
    }

    @Override
    public List<TransactionInfo> undoLog(int first, int last) {
        return call(m -> m.physical().undoLog(first, last));
    }

    @Override
    public void undo(Tid tid) {
        run(m -> m.physical().undo(tid));
    }

    /**
     * Hooks {@code listener} into the managed connection's transactions, whichever handle began them and also after
     * this handle is closed: the listener belongs to the managed connection, like its {@linkplain #attachment
     * attachments} (one per managed connection: a later call from any handle replaces it). It hears
     * {@code beforeCompletion} at XA {@code end} with success and at the container's or the application's local
     * commit. While it is being called, on the calling thread, handles of the managed connection that were closed
     * (or invalidated) still serve its calls: a bean closes its handle before the container ends the branch, and the
     * listener writes its pending changes through the handle it kept.
     */
    @Override
    public void setTransactionListener(TransactionListener listener) {
        run(m -> m.physical().setTransactionListener(listener == null ? null : m.scoped(listener)));
    }

    /**
     * The conflict resolver of the managed connection (as for the listener: one per managed connection, and closed
     * handles serve its calls while it runs).
     */
    @Override
    public void setConflictResolver(ConflictResolver resolver) {
        run(m -> m.physical().setConflictResolver(resolver == null ? null : m.scoped(resolver)));
    }

    /**
     * Kept with the managed connection, not with this handle: it outlives the handle's close and stays while the
     * container pools the managed connection; it goes when the container destroys it.
     */
    @Override
    public <T> T attachment(Object key, Supplier<T> ifAbsent) {
        return call(m -> m.physical().attachment(key, ifAbsent));
    }
}
