package org.jzeo.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Revision;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageException;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.record.JzeoRecord;

/**
 * {@link StorageConnection} over a {@link ClientStorage}: a snapshot per transaction, a first-level cache of
 * decoded objects kept across transactions (dropped per invalidated oid at each start), writes buffered until
 * commit and sent as jzeo records. One thread at a time; {@link ClientConnectionFactory} pools instances.
 */
final class ClientStorageConnection implements StorageConnection {
    private final ClientStorage storage;
    private final ClientConnectionFactory factory;
    private final InvalidationInbox inbox = new InvalidationInbox();
    private final ObjectCache objects;
    /** The transaction in progress on this connection, or null. */
    private UnitOfWork work;
    /** Set while the work belongs to an XA branch: begin/commit/abort are then the transaction manager's. */
    private boolean enlisted;
    private boolean closed;

    ClientStorageConnection(ClientStorage storage, ClientConnectionFactory factory, int objectCacheSize) {
        this.storage = storage;
        this.factory = factory;
        this.objects = new ObjectCache(objectCacheSize);
        storage.addListener(inbox);
    }

    @Override
    public void begin() {
        requireOpen();
        requireNotEnlisted("begin");
        if (work != null) {
            throw new IllegalStateException("a transaction is already active on this connection");
        }
        work = newWork();
    }

    /** A unit of work at the latest snapshot, for a local transaction or an XA branch. */
    UnitOfWork newWork() {
        return new UnitOfWork(latestSnapshot());
    }

    /** Makes {@code branch} the work of this connection (XA start); null dissociates it (XA end). */
    void associate(UnitOfWork branch) {
        work = branch;
        enlisted = branch != null;
    }

    /** True while a local (non-XA) transaction is in progress. */
    boolean hasLocalWork() {
        return work != null && !enlisted;
    }

    private void requireNotEnlisted(String what) {
        if (enlisted) {
            throw new IllegalStateException("cannot " + what + ": this connection is enlisted in a global (XA)"
                    + " transaction, which the transaction manager commits or rolls back");
        }
    }

    /**
     * The latest tid this client knows of, with every object changed up to it dropped from the object cache.
     * The tid is read first: every change up to it has been reported to the inbox already (ClientListener).
     */
    private Tid latestSnapshot() {
        Tid last = storage.lastTransaction();
        Map<Oid, Tid> changed = inbox.take();
        if (changed == null) {
            objects.clear();
        } else {
            changed.keySet().forEach(objects::remove);
        }
        return last;
    }

    @Override
    public Tid commit() {
        requireActive("commit");
        requireNotEnlisted("commit");
        UnitOfWork done = work;
        work = null;
        if (done.writes.isEmpty()) {
            return done.snapshot;
        }
        StorageTransaction txn = transactionOf(done);
        try {
            txn.vote();
            return txn.finish();
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
    }

    /** The storage transaction that writes what {@code done} wrote, each store naming the serial it read. */
    ClientTransaction transactionOf(UnitOfWork done) {
        ClientTransaction txn = (ClientTransaction) storage.begin(TransactionMetadata.empty());
        for (StoredObject w : done.writes.values()) {
            txn.store(w.oid(), serialFor(done, w.oid()), JzeoRecord.encode(w.references(), w.payload()));
        }
        return txn;
    }

    @Override
    public void abort() {
        requireNotEnlisted("abort");
        work = null;
    }

    @Override
    public boolean inTransaction() {
        return work != null;
    }

    // ---------------------------------------------------------------- reads

    @Override
    public StoredObject read(Oid oid) {
        requireOpen();
        StoredObject written = work != null ? work.writes.get(oid) : null;
        if (written != null) {
            return copy(written);
        }
        StoredObject found = load(work, oid, work != null ? work.before : latestSnapshot().next());
        if (found == null) {
            throw new POSKeyException(oid, "no object " + oid + " at this snapshot");
        }
        return copy(found);
    }

    @Override
    public void prefetch(Collection<Oid> oids) {
        requireOpen();
        Tid snapshotBefore = work != null ? work.before : latestSnapshot().next();
        List<Oid> missing = new ArrayList<>();
        for (Oid oid : oids) {
            if (!(work != null && work.writes.containsKey(oid)) && objects.get(oid, snapshotBefore) == null) {
                missing.add(oid);
            }
        }
        storage.prefetch(missing, snapshotBefore);
    }

    @Override
    public boolean exists(Oid oid) {
        requireOpen();
        if (work != null && work.writes.containsKey(oid)) {
            return true;
        }
        return load(work, oid, work != null ? work.before : latestSnapshot().next()) != null;
    }

    /**
     * The object at snapshot {@code snapshot}, or null if it does not exist there; remembers the serial read in
     * {@code reader} (null outside a transaction).
     */
    private StoredObject load(UnitOfWork reader, Oid oid, Tid snapshot) {
        StoredObject cached = objects.get(oid, snapshot);
        if (cached == null) {
            LoadResult revision;
            try {
                revision = storage.loadBefore(oid, snapshot);
            } catch (POSKeyException e) {
                revision = null;
            }
            if (revision == null || revision.data() == null) {
                if (reader != null) {
                    reader.readSerials.putIfAbsent(oid, Tid.ZERO);
                }
                return null;
            }
            cached = decode(oid, revision);
            objects.put(oid, new ObjectCache.Entry(cached, revision.start(), revision.end()));
        }
        if (reader != null) {
            reader.readSerials.putIfAbsent(oid, cached.serial());
        }
        return cached;
    }

    private static StoredObject decode(Oid oid, LoadResult revision) {
        byte[] data = revision.data();
        if (JzeoRecord.isJzeoRecord(data)) {
            JzeoRecord record = JzeoRecord.decode(data);
            return new StoredObject(oid, revision.start(), record.payload(), record.references());
        }
        return new StoredObject(oid, revision.start(), data, List.of());
    }

    private static StoredObject copy(StoredObject object) {
        return new StoredObject(object.oid(), object.serial(), object.payload().clone(), object.references());
    }

    @Override
    public List<Revision> history(Oid oid, int size) {
        requireOpen();
        List<Revision> revisions = new ArrayList<>();
        for (HistoryEntry h : storage.history(oid, size)) {
            revisions.add(new Revision(h.tid(), h.tid().toInstant(), new String(h.user(), StandardCharsets.UTF_8),
                    new String(h.description(), StandardCharsets.UTF_8), h.size()));
        }
        return revisions;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void write(Oid oid, byte[] payload, Collection<Oid> references) {
        requireActive("write");
        if (storage.isReadOnly()) {
            throw new org.jzeo.api.ReadOnlyException("cannot write " + oid + ": storage '" + storage.name()
                    + "' is read-only here");
        }
        Tid serial = serialFor(work, oid);
        Tid changedAt = inbox.changedAt(oid);
        if (changedAt != null && !changedAt.isBefore(work.before) && !work.created.contains(oid)) {
            throw new ConflictException("object " + oid + " was changed by transaction " + changedAt
                    + " after this transaction's snapshot", oid, changedAt, serial);
        }
        work.writes.put(oid, new StoredObject(oid, serial, payload.clone(), List.copyOf(references)));
    }

    /** The serial a store must name: what the work read (loading it now if it did not), ZERO if new. */
    private Tid serialFor(UnitOfWork unit, Oid oid) {
        if (unit.created.contains(oid)) {
            return Tid.ZERO;
        }
        Tid read = unit.readSerials.get(oid);
        if (read == null) {
            StoredObject current = load(unit, oid, unit.before);
            read = current == null ? Tid.ZERO : current.serial();
        }
        return read;
    }

    @Override
    public Oid newOid() {
        requireOpen();
        Oid oid = storage.newOids(1).get(0);
        if (work != null) {
            work.created.add(oid);
        }
        return oid;
    }

    @Override
    public Oid rootOid() {
        return Oid.ROOT;
    }

    @Override
    public Tid lastTransaction() {
        return storage.lastTransaction();
    }

    // ---------------------------------------------------------------- life cycle

    private void requireActive(String what) {
        requireOpen();
        if (work == null) {
            throw new IllegalStateException("cannot " + what + " outside a transaction: call begin() first");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new StorageException("this connection is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (enlisted) {
            return; // the branch lives on until the transaction manager ends it; then the connection is dropped
        }
        work = null;
        if (!factory.giveBack(this)) {
            discard();
        }
    }

    /** Reopens a pooled connection for its next user. */
    void reuse() {
        closed = false;
        work = null;
        enlisted = false;
    }

    ClientStorage storage() {
        return storage;
    }

    /** Stops listening: the connection is gone for good. */
    void discard() {
        storage.removeListener(inbox);
        objects.clear();
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
