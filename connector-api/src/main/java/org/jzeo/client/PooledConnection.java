package org.jzeo.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jzeo.api.ConflictException;
import org.jzeo.api.ConflictResolver;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.Revision;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageException;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.api.TransactionInfo;
import org.jzeo.api.TransactionListener;
import org.jzeo.api.TransactionListener.Completion;
import org.jzeo.api.UndoException;
import org.jzeo.client.blob.BlobFiles;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.UndoEntry;
import org.jzeo.storage.record.JzeoRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link StorageConnection} over any {@link Storage} with a {@link ConnectionSource} telling it of commits (a
 * {@link ClientStorage} and its server, or a storage in this JVM): a snapshot per transaction, a first-level cache of
 * decoded objects kept across transactions (dropped per invalidated oid at each new snapshot), writes buffered until
 * commit and sent as jzeo records. One thread at a time; a {@link ConnectionPool} keeps closed instances.
 *
 * <p><b>Hooks.</b> The transaction listener, the conflict resolver and the attachments belong to the connection,
 * not to one user of it: they stay while it is pooled (an object cache kept in an attachment must go on hearing of
 * invalidations whoever uses the connection) and go when it is discarded. The listener hears of the changes of other
 * connections' and other clients' commits; the objects this connection itself wrote are not reported after its own
 * commit (the layer above holds them in the state it wrote), except those a resolver merged and those an undo
 * changed.
 *
 * <p><b>Conflict resolution.</b> With a resolver, a commit votes with
 * {@link StorageTransaction#voteAllowingConflicts()}: each conflict is merged from the state the write was based on,
 * the committed state and the written one, stored again against the committed serial, and the transaction votes
 * again, up to {@value #MAX_RESOLUTION_ROUNDS} rounds as ZEO's client does.
 */
final class PooledConnection implements StorageConnection {
    private static final Logger LOG = LoggerFactory.getLogger(PooledConnection.class);
    /** ZEO's client gives up after this many votes answered with conflicts. */
    static final int MAX_RESOLUTION_ROUNDS = 9;
    /** Undo ids the undo log showed lately, by tid, for a storage whose ids are not ZODB's base64 of the tid. */
    private static final int REMEMBERED_UNDO_IDS = 1000;

    private final ConnectionPool pool;
    private final ConnectionSource source;
    private final Storage storage;
    private final InvalidationInbox inbox = new InvalidationInbox();
    private final ObjectCache objects;
    private final Map<Object, Object> attachments = new HashMap<>();
    private final Map<Tid, byte[]> undoIds = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Tid, byte[]> eldest) {
            return size() > REMEMBERED_UNDO_IDS;
        }
    };
    private TransactionListener listener;
    private ConflictResolver resolver;
    /** The transaction in progress on this connection, or null. */
    private UnitOfWork work;
    /** Set while the work belongs to an XA branch: begin/commit/abort are then the transaction manager's. */
    private boolean enlisted;
    private boolean closed;

    PooledConnection(ConnectionPool pool) {
        this.pool = pool;
        this.source = pool.source();
        this.storage = source.storage();
        this.objects = new ObjectCache(pool.objectCacheSize());
        source.addListener(inbox);
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
     * The latest tid this connection's source knows of, with every object changed up to it dropped from the object
     * cache and reported to the listener. The tid is read first: every change up to it has been reported to the
     * inbox already (ConnectionSource).
     */
    private Tid latestSnapshot() {
        Tid last = source.lastTransaction();
        Map<Oid, Tid> changed = inbox.take();
        if (changed == null) {
            objects.clear();
        } else {
            changed.keySet().forEach(objects::remove);
        }
        if (listener != null && (changed == null || !changed.isEmpty())) {
            listener.invalidated(changed == null ? null : List.copyOf(changed.keySet()));
        }
        return last;
    }

    @Override
    public Tid commit() {
        requireActive("commit");
        requireNotEnlisted("commit");
        UnitOfWork done = work;
        try {
            beforeCompletion();
        } catch (RuntimeException e) {
            work = null;
            done.dropBlobFiles();
            afterCompletion(Completion.ABORTED, null);
            throw e;
        }
        work = null;
        Tid tid;
        try {
            tid = done.isEmpty() ? done.snapshot : commitWork(done);
        } catch (RuntimeException e) {
            afterCompletion(Completion.ABORTED, null);
            throw e;
        } finally {
            done.dropBlobFiles();
        }
        afterCompletion(Completion.COMMITTED, tid);
        return tid;
    }

    /**
     * Votes and finishes what {@code done} wrote, resolving conflicts; for a local commit and an XA one-phase
     * commit. Aborts the storage transaction on any failure.
     */
    Tid commitWork(UnitOfWork done) {
        StorageTransaction txn = transactionOf(done);
        Tid tid;
        try {
            voteResolving(txn, done);
            tid = txn.finish();
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
        committed(done, tid);
        return tid;
    }

    /**
     * Own writes are not news to the layer above: the inbox forgets what this commit changed (unless a later commit
     * changed it again), and the object cache drops its older revisions. Merged and undone objects stay reported.
     */
    private void committed(UnitOfWork done, Tid tid) {
        List<Oid> own = new ArrayList<>();
        for (Oid oid : done.writes.keySet()) {
            if (!done.resolved.contains(oid)) {
                own.add(oid);
            }
            objects.remove(oid);
        }
        inbox.forget(own, tid);
        countResolved(done);
    }

    /** Counts the conflicts merged for {@code done}, which has just committed (or prepared, for XA). */
    void countResolved(UnitOfWork done) {
        if (!done.resolved.isEmpty()) {
            pool.resolvedConflicts().add(done.resolved.size());
        }
    }

    /** True if conflicts are merged rather than failing the commit. */
    boolean resolvesConflicts() {
        return resolver != null;
    }

    /** The storage transaction that writes what {@code done} wrote, each store naming the serial it read. */
    StorageTransaction transactionOf(UnitOfWork done) {
        StorageTransaction txn = storage.begin(done.metadata());
        for (StoredObject w : done.writes.values()) {
            byte[] record = JzeoRecord.encode(w.references(), w.payload());
            Path blob = done.blobs.get(w.oid());
            if (blob != null) {
                txn.storeBlob(w.oid(), serialFor(done, w.oid()), record, blob);
            } else {
                txn.store(w.oid(), serialFor(done, w.oid()), record);
            }
        }
        for (Tid undone : done.undos) {
            byte[] id = undoIds.get(undone);
            txn.undo(id != null ? id : UndoEntry.idOf(undone));
        }
        return txn;
    }

    /**
     * Votes {@code txn}; with a resolver, merges the store conflicts the vote answers and votes again, up to
     * {@value #MAX_RESOLUTION_ROUNDS} rounds. Returns the oids the storage changed (undo).
     */
    List<Oid> voteResolving(StorageTransaction txn, UnitOfWork done) {
        if (resolver == null) {
            return txn.vote();
        }
        StorageTransaction.Vote vote = txn.voteAllowingConflicts();
        for (int round = 1; !vote.conflicts().isEmpty(); round++) {
            if (round >= MAX_RESOLUTION_ROUNDS) {
                ConflictException last = vote.conflicts().get(0);
                throw new ConflictException("still in conflict after " + round + " rounds of resolution: "
                        + last.getMessage(), last.oid(), last.committedSerial(), last.readSerial());
            }
            for (ConflictException conflict : vote.conflicts()) {
                StoredObject merged = resolve(done, conflict);
                txn.store(merged.oid(), merged.serial(), JzeoRecord.encode(merged.references(), merged.payload()));
            }
            vote = txn.voteAllowingConflicts();
        }
        return vote.changed();
    }

    /**
     * The merged state of a conflicting write, as the next store sends it (serial: the committed one), also put in
     * {@code done}'s writes; the conflict itself when the resolver cannot merge.
     */
    StoredObject resolve(UnitOfWork done, ConflictException conflict) {
        Oid oid = conflict.oid();
        StoredObject mine = done.writes.get(oid);
        if (mine == null || conflict.committedSerial() == null) {
            throw conflict; // not a store of this connection's (a delete, an undo): nothing to merge
        }
        if (done.blobs.containsKey(oid)) {
            throw conflict; // two versions of a blob's content cannot be merged (ZODB refuses too)
        }
        Tid read = conflict.readSerial();
        StoredObject old = read == null || read.equals(Tid.ZERO) ? null : revision(oid, read);
        StoredObject committed = revision(oid, conflict.committedSerial());
        StoredObject merged = resolver.resolve(oid, old == null ? null : copy(old), copy(committed), copy(mine));
        if (merged == null) {
            throw new ConflictException("the conflict resolver could not merge: " + conflict.getMessage(), oid,
                    conflict.committedSerial(), read);
        }
        StoredObject resolved = new StoredObject(oid, conflict.committedSerial(), merged.payload().clone(),
                List.copyOf(merged.references()));
        done.writes.put(oid, resolved);
        done.readSerials.put(oid, conflict.committedSerial());
        done.resolved.add(oid);
        LOG.debug("conflict on oid {} (committed {}, read {}) resolved", oid, conflict.committedSerial(), read);
        return resolved;
    }

    private StoredObject revision(Oid oid, Tid serial) {
        return decode(oid, new LoadResult(storage.loadSerial(oid, serial), serial, null));
    }

    @Override
    public void abort() {
        requireNotEnlisted("abort");
        if (work != null) {
            work.dropBlobFiles();
            work = null;
            afterCompletion(Completion.ABORTED, null);
        }
    }

    @Override
    public boolean inTransaction() {
        return work != null;
    }

    // ---------------------------------------------------------------- the listener

    /** The listener writes its pending changes into the current work (local commit, XA end with success). */
    void beforeCompletion() {
        if (listener != null) {
            listener.beforeCompletion();
        }
    }

    /** Tells the listener how the transaction ended; its failures cannot change that and are only logged. */
    void afterCompletion(Completion completion, Tid tid) {
        if (listener == null) {
            return;
        }
        try {
            listener.afterCompletion(completion, tid);
        } catch (RuntimeException e) {
            LOG.warn("transaction listener failed after the transaction ended ({}, tid {})", completion, tid, e);
        }
    }

    @Override
    public void setTransactionListener(TransactionListener listener) {
        requireOpen();
        this.listener = listener;
    }

    @Override
    public void setConflictResolver(ConflictResolver resolver) {
        requireOpen();
        this.resolver = resolver;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T attachment(Object key, Supplier<T> ifAbsent) {
        requireOpen();
        return (T) attachments.computeIfAbsent(key, k -> ifAbsent.get());
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
        source.prefetch(missing, snapshotBefore);
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
            revisions.add(new Revision(h.tid(), h.tid().toInstant(), utf8(h.user()), utf8(h.description()),
                    h.size()));
        }
        return revisions;
    }

    // ---------------------------------------------------------------- transaction metadata, undo

    @Override
    public void setTransactionInfo(String user, String description, Map<String, Object> extension) {
        requireActive("set the transaction's metadata");
        // Checked now rather than at commit: the same limits as TransactionMetadata's, and values a pickle can hold.
        TransactionMetadata.of(user, description, extension);
        if (extension != null) {
            extension.forEach((key, value) -> requirePicklable(key, value));
        }
        work.user = user;
        work.description = description;
        work.extension = extension == null ? Map.of() : new LinkedHashMap<>(extension);
    }

    @Override
    public List<TransactionInfo> undoLog(int first, int last) {
        requireOpen();
        if (!storage.supportsUndo()) {
            return List.of();
        }
        List<TransactionInfo> log = new ArrayList<>();
        for (UndoEntry e : storage.undoLog(first, last)) {
            undoIds.put(e.tid(), e.id());
            log.add(new TransactionInfo(e.tid(), e.tid().toInstant(), utf8(e.user()), utf8(e.description()),
                    readable(e.extension())));
        }
        return log;
    }

    @Override
    public void undo(Tid tid) {
        requireActive("undo");
        if (!storage.supportsUndo()) {
            throw new UndoException("storage '" + storage.name() + "' does not support undo", null);
        }
        work.undos.add(tid);
    }

    private static void requirePicklable(String key, Object value) {
        if (value == null || value instanceof String || value instanceof Long || value instanceof Integer
                || value instanceof Double || value instanceof Boolean || value instanceof byte[]) {
            return;
        }
        if (value instanceof List<?> list) {
            list.forEach(v -> requirePicklable(key, v));
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                requirePicklable(key, k);
                requirePicklable(key, v);
            });
        } else {
            throw new IllegalArgumentException("transaction extension '" + key + "': a " + value.getClass().getName()
                    + " cannot be stored; use strings, numbers (long, int, double), booleans, lists and maps");
        }
    }

    /** The extension as the API promises it: text instead of the raw bytes a pickle or msgpack may give back. */
    private static Map<String, Object> readable(Map<String, Object> extension) {
        Map<String, Object> out = new LinkedHashMap<>();
        extension.forEach((k, v) -> {
            if (v != null) { // TransactionInfo's map holds no nulls
                out.put(k, readableValue(v));
            }
        });
        return out;
    }

    private static Object readableValue(Object v) {
        if (v instanceof byte[] b) {
            return utf8(b);
        } else if (v instanceof List<?> l) {
            return l.stream().map(x -> x == null ? null : readableValue(x)).toList();
        } else if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(readableValue(k), x == null ? null : readableValue(x)));
            return out;
        }
        return v;
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void write(Oid oid, byte[] payload, Collection<Oid> references) {
        requireActive("write");
        if (storage.isReadOnly()) {
            throw new ReadOnlyException("cannot write " + oid + ": storage '" + storage.name()
                    + "' is read-only here");
        }
        Tid serial = serialFor(work, oid);
        Tid changedAt = inbox.changedAt(oid);
        if (changedAt != null && !changedAt.isBefore(work.before) && !work.created.contains(oid)
                && resolver == null) {
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

    // ---------------------------------------------------------------- blobs

    @Override
    public boolean supportsBlobs() {
        requireOpen();
        return storage.supportsBlobs();
    }

    @Override
    public void writeBlob(Oid oid, byte[] payload, Collection<Oid> references, InputStream content) {
        requireActive("write a blob");
        Path folder = storage.blobTemporaryDirectory(); // the storage's one-line error when it keeps no blobs
        write(oid, payload, references);
        Path file;
        try {
            file = Files.createTempFile(folder, "jzeo-", ".blob");
        } catch (IOException e) {
            throw new StorageException("cannot create a temporary blob file in " + folder + ": " + e.getMessage(), e);
        }
        try {
            Files.copy(content, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            BlobFiles.deleteQuietly(file);
            throw new StorageException("cannot copy the content of blob " + oid + " to " + file + ": "
                    + e.getMessage(), e);
        }
        Path previous = work.blobs.put(oid, file);
        if (previous != null) {
            BlobFiles.deleteQuietly(previous);
        }
    }

    @Override
    public InputStream openBlob(Oid oid) {
        Path file = blobFile(oid);
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException trimmed) {
            // The blob cache's trim removed it between load and open: load it again.
            try {
                return Files.newInputStream(blobFile(oid));
            } catch (IOException e) {
                throw new StorageException("cannot open the blob of " + oid + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new StorageException("cannot open the blob of " + oid + " at " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long blobSize(Oid oid) {
        try {
            return Files.size(blobFile(oid));
        } catch (IOException e) {
            throw new StorageException("cannot read the size of the blob of " + oid + ": " + e.getMessage(), e);
        }
    }

    /** The file of {@code oid}'s blob at the snapshot, or the one this transaction wrote. */
    private Path blobFile(Oid oid) {
        requireOpen();
        Path mine = work != null ? work.blobs.get(oid) : null;
        if (mine != null) {
            return mine;
        }
        if (!storage.supportsBlobs()) {
            storage.blobTemporaryDirectory(); // throws the storage's one-line reason
            throw Storage.noBlobs(storage);
        }
        StoredObject found = load(work, oid, work != null ? work.before : latestSnapshot().next());
        if (found == null) {
            throw new POSKeyException(oid, "no object " + oid + " at this snapshot");
        }
        return storage.loadBlob(oid, found.serial());
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
        return source.lastTransaction();
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
        if (enlisted) {
            closed = true;
            return; // the branch lives on until the transaction manager ends it; then the connection is dropped
        }
        abort();
        closed = true;
        if (!pool.giveBack(this)) {
            discard();
        }
    }

    /** Reopens a pooled connection for its next user; its object cache, hooks and attachments stay. */
    void reuse() {
        closed = false;
        work = null;
        enlisted = false;
    }

    Storage storage() {
        return storage;
    }

    /** The client storage under this connection, for XA; an IllegalStateException for a storage in this JVM. */
    ClientStorage clientStorage() {
        if (storage instanceof ClientStorage client) {
            return client;
        }
        throw new IllegalStateException("XA needs a jzeo server: storage '" + storage.name()
                + "' is used in this JVM without one");
    }

    /** Stops listening: the connection is gone for good, and so are its hooks and attachments. */
    void discard() {
        source.removeListener(inbox);
        objects.clear();
        attachments.clear();
        listener = null;
        resolver = null;
    }
}
