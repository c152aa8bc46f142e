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
    /** The last transaction of the snapshot. */
    private Tid snapshot;
    /** The snapshot as loadBefore wants it: reads see revisions written before this tid. */
    private Tid before;
    private boolean active;
    /** Serial of each object this transaction read; ZERO for objects it did not find. */
    private final Map<Oid, Tid> readSerials = new HashMap<>();
    private final Map<Oid, StoredObject> writes = new LinkedHashMap<>();
    private final Set<Oid> created = new HashSet<>();
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
        if (active) {
            throw new IllegalStateException("a transaction is already active on this connection");
        }
        Tid last = latestSnapshot();
        snapshot = last;
        before = last.next();
        active = true;
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
        try {
            if (writes.isEmpty()) {
                return snapshot;
            }
            StorageTransaction txn = storage.begin(TransactionMetadata.empty());
            try {
                for (StoredObject w : writes.values()) {
                    txn.store(w.oid(), serialFor(w.oid()), JzeoRecord.encode(w.references(), w.payload()));
                }
                txn.vote();
                return txn.finish();
            } catch (RuntimeException e) {
                txn.abort();
                throw e;
            }
        } finally {
            end();
        }
    }

    @Override
    public void abort() {
        if (active) {
            end();
        }
    }

    @Override
    public boolean inTransaction() {
        return active;
    }

    private void end() {
        active = false;
        readSerials.clear();
        writes.clear();
        created.clear();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public StoredObject read(Oid oid) {
        requireOpen();
        StoredObject written = active ? writes.get(oid) : null;
        if (written != null) {
            return copy(written);
        }
        StoredObject found = load(oid, active ? before : latestSnapshot().next());
        if (found == null) {
            throw new POSKeyException(oid, "no object " + oid + " at this snapshot");
        }
        return copy(found);
    }

    @Override
    public void prefetch(Collection<Oid> oids) {
        requireOpen();
        Tid snapshotBefore = active ? before : latestSnapshot().next();
        List<Oid> missing = new ArrayList<>();
        for (Oid oid : oids) {
            if (!(active && writes.containsKey(oid)) && objects.get(oid, snapshotBefore) == null) {
                missing.add(oid);
            }
        }
        storage.prefetch(missing, snapshotBefore);
    }

    @Override
    public boolean exists(Oid oid) {
        requireOpen();
        if (active && writes.containsKey(oid)) {
            return true;
        }
        return load(oid, active ? before : latestSnapshot().next()) != null;
    }

    /** The object at snapshot {@code snapshot}, or null if it does not exist there; remembers the serial read. */
    private StoredObject load(Oid oid, Tid snapshot) {
        StoredObject cached = objects.get(oid, snapshot);
        if (cached == null) {
            LoadResult revision;
            try {
                revision = storage.loadBefore(oid, snapshot);
            } catch (POSKeyException e) {
                revision = null;
            }
            if (revision == null || revision.data() == null) {
                if (active) {
                    readSerials.putIfAbsent(oid, Tid.ZERO);
                }
                return null;
            }
            cached = decode(oid, revision);
            objects.put(oid, new ObjectCache.Entry(cached, revision.start(), revision.end()));
        }
        if (active) {
            readSerials.putIfAbsent(oid, cached.serial());
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
        Tid serial = serialFor(oid);
        Tid changedAt = inbox.changedAt(oid);
        if (changedAt != null && !changedAt.isBefore(before) && !created.contains(oid)) {
            throw new ConflictException("object " + oid + " was changed by transaction " + changedAt
                    + " after this transaction's snapshot", oid, changedAt, serial);
        }
        writes.put(oid, new StoredObject(oid, serial, payload.clone(), List.copyOf(references)));
    }

    /** The serial a store must name: what this transaction read (loading it now if it did not), ZERO if new. */
    private Tid serialFor(Oid oid) {
        if (created.contains(oid)) {
            return Tid.ZERO;
        }
        Tid read = readSerials.get(oid);
        if (read == null) {
            StoredObject current = load(oid, before);
            read = current == null ? Tid.ZERO : current.serial();
        }
        return read;
    }

    @Override
    public Oid newOid() {
        requireOpen();
        Oid oid = storage.newOids(1).get(0);
        created.add(oid);
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
        if (!active) {
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
        abort();
        closed = true;
        if (!factory.giveBack(this)) {
            discard();
        }
    }

    /** Reopens a pooled connection for its next user. */
    void reuse() {
        closed = false;
    }

    /** Stops listening: the connection is gone for good. */
    void discard() {
        storage.removeListener(inbox);
        objects.clear();
    }
}
