package org.jzeo.objects;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Revision;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionInfo;

/**
 * A view of the object database for one unit of work at a time, used by one thread at a time: ZODB's
 * {@code Connection}. Objects read through it are one instance per oid; changing a loaded object and committing
 * stores it; objects reachable from stored ones are stored too.
 *
 * <p><b>Transactions.</b> In Java SE, {@link #begin()}, {@link #commit()} and {@link #abort()} (reading outside a
 * transaction begins one, as ZODB does). From a resource adapter the connection is enlisted in the container's JTA
 * transaction: changes are written when the container commits, and these three methods refuse to run. Every read
 * in a transaction sees the database as of its start; objects other transactions changed are brought up to date, in
 * place, at the next transaction.
 *
 * <p>Close it when done (try-with-resources): its storage connection goes back to the pool with the objects it
 * caches. {@link ObjectDatabase#run} opens, commits, retries and closes for you.
 */
public final class ObjectConnection implements AutoCloseable {
    private final ObjectSession session;
    private final StorageConnection storage;

    ObjectConnection(ObjectSession session, StorageConnection storage) {
        this.session = session;
        this.storage = storage;
    }

    /**
     * The root map: the object every stored object is reachable from. Made (and stored at commit) when the
     * database has none.
     */
    public PersistentMap<String, Object> root() {
        ensureTransaction();
        return session.root();
    }

    /**
     * The object {@code oid}.
     *
     * @throws POSKeyException no such object at this transaction's snapshot
     */
    public Object get(Oid oid) {
        ensureTransaction();
        return session.get(Objects.requireNonNull(oid, "oid"));
    }

    /** The object {@code oid}, which must be a {@code type}. */
    public <T> T get(Oid oid, Class<T> type) {
        Object object = get(oid);
        if (!type.isInstance(object)) {
            throw new ClassCastException("object " + oid + " is a " + object.getClass().getName() + ", not a "
                    + type.getName());
        }
        return type.cast(object);
    }

    /** Starts a transaction; objects changed by others since the last one are brought up to date. */
    public void begin() {
        storage.begin();
        session.refreshStale();
    }

    /**
     * Stores every changed object and every new object reachable from a stored one, atomically and durably.
     *
     * @return the commit's tid (or the snapshot's when nothing changed)
     * @throws org.jzeo.api.ConflictException another transaction changed an object this one changed, and the
     *                                        change could not be merged (retryable: abort and run again)
     */
    public Tid commit() {
        return storage.commit();
    }

    /** Drops the transaction's changes: changed objects go back to their stored state at the next use. */
    public void abort() {
        storage.abort();
    }

    /** True inside a transaction (local, or the container's). */
    public boolean inTransaction() {
        return storage.inTransaction();
    }

    /** Sets the current transaction's user, description and extension, shown by history and the undo log. */
    public void setTransactionInfo(String user, String description, Map<String, Object> extension) {
        ensureTransaction();
        storage.setTransactionInfo(user, description, extension);
    }

    /** Up to {@code size} revisions of a stored object, newest first. */
    public List<Revision> history(Persistent object, int size) {
        Oid oid = Persistent.oidOf(object);
        if (oid == null) {
            throw new IllegalArgumentException("the object is not stored yet, so it has no history");
        }
        return storage.history(oid, size);
    }

    /** Committed transactions that can be undone, newest first. */
    public List<TransactionInfo> undoLog(int first, int last) {
        return storage.undoLog(first, last);
    }

    /** Undoes transaction {@code tid} when this transaction commits. */
    public void undo(Tid tid) {
        ensureTransaction();
        storage.undo(tid);
    }

    /** What this connection's object cache did so far. */
    public ObjectCacheStats cacheStats() {
        return session.stats();
    }

    /** The storage connection under this one: records rather than objects. */
    public StorageConnection storage() {
        return storage;
    }

    private void ensureTransaction() {
        if (!storage.inTransaction()) {
            begin();
        }
    }

    /** Aborts an active local transaction and gives the connection back to its pool. */
    @Override
    public void close() {
        storage.close();
    }
}
