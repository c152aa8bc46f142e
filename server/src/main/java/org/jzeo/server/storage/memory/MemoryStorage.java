package org.jzeo.server.storage.memory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.api.UndoException;
import org.jzeo.server.storage.LockWaitSource;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.commit.CommitSequencer;
import org.jzeo.server.storage.commit.CommitTarget;
import org.jzeo.server.storage.commit.ObjectLocks;
import org.jzeo.server.storage.commit.PreparedRecord;
import org.jzeo.server.storage.commit.PreparedTransaction;
import org.jzeo.server.storage.commit.RecordSource;
import org.jzeo.server.storage.commit.StagedTransaction;
import org.jzeo.storage.CurrentRecord;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.Invalidation;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.TransactionRecord;
import org.jzeo.storage.UndoEntry;

/**
 * A storage kept in memory (ZEO's {@code <mappingstorage>}), with the same read, undo and pack semantics as
 * FileStorage (filestorage-format spec §7-§9), and nothing durable.
 *
 * <p>Guarantees: readers never block on commits and never lock; each object's revisions are an immutable array
 * replaced whole when a transaction is published, and {@link #lastTransaction()} is advanced only after all of
 * that transaction's revisions are in place, so a reader that sees {@code lastTransaction() == T} sees all of T
 * (and of every transaction before it). Commits go through the shared {@link StagedTransaction} (object locks,
 * conflict checks at vote) and {@link CommitSequencer} (tids, publication in tid order). Pack runs while
 * readers continue; publication waits for it.
 */
public final class MemoryStorage implements Storage, CommitTarget<MemoryTransaction>, LockWaitSource {
    private final String name;
    private final boolean readOnly;
    private final MemoryPacker packer;
    private final ObjectLocks locks;
    private final CommitSequencer<MemoryTransaction> sequencer;

    /** Each object's revisions, oldest first. Written only under {@link #publishLock}. */
    private final ConcurrentSkipListMap<Oid, Revision[]> objects = new ConcurrentSkipListMap<>();
    /** Published transactions by tid. Written only under {@link #publishLock}. */
    private final ConcurrentSkipListMap<Tid, MemoryTransaction> transactions = new ConcurrentSkipListMap<>();
    /** Serializes publication and pack, the only writers of the maps above. */
    private final ReentrantLock publishLock = new ReentrantLock();
    private final AtomicBoolean packing = new AtomicBoolean();
    private final org.jzeo.server.storage.OidAllocator oids = new org.jzeo.server.storage.OidAllocator(0);

    private volatile Tid lastTid = Tid.ZERO;
    /** Only the sequencer's append, one at a time, writes it. */
    private volatile Tid lastAppended = Tid.ZERO;
    private volatile long size;
    private volatile long length;
    private volatile boolean closed;

    /** A writable storage with the production defaults, for tests and {@code <mappingstorage>}. */
    public MemoryStorage(String name) {
        this(name, org.jzeo.server.storage.pickle.ReferenceScanner.finder(), Duration.ofSeconds(10), InstantSource.system());
    }

    public MemoryStorage(String name, ReferenceFinder finder, Duration lockWait, InstantSource clock) {
        this(name, finder, lockWait, clock, false);
    }

    /**
     * @param finder   finds references for pack's garbage collection
     * @param lockWait how long a vote waits for another transaction's object lock before a ConflictException
     * @param clock    the time new tids are made from
     * @param readOnly refuse transactions, new oids and pack
     */
    public MemoryStorage(String name, ReferenceFinder finder, Duration lockWait, InstantSource clock,
                         boolean readOnly) {
        this.name = name;
        this.readOnly = readOnly;
        this.packer = new MemoryPacker(finder);
        this.locks = new ObjectLocks(lockWait);
        this.sequencer = new CommitSequencer<>(this, clock);
    }

    // ---------------------------------------------------------------- Storage: metadata

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public Tid lastTransaction() {
        return lastTid;
    }

    @Override
    public boolean supportsUndo() {
        return true;
    }

    @Override
    public void setCommitListener(org.jzeo.storage.CommitListener listener) {
        sequencer.setListener(listener);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long length() {
        return length;
    }

    /** Object-lock acquisitions that had to wait for another transaction since the storage was opened. */
    @Override
    public long lockWaits() {
        return locks.waitCount();
    }

    @Override
    public void close() {
        closed = true;
    }

    // ---------------------------------------------------------------- Storage: reads

    @Override
    public boolean loadsFromMemory(Oid oid, Tid before) {
        return true;
    }

    @Override
    public LoadResult loadBefore(Oid oid, Tid before) {
        // Revisions are published before lastTid: one above `visible` is not committed for readers yet.
        Tid visible = lastTid;
        Revision[] revisions = revisionsOf(oid);
        Tid bound = before.isAfter(visible) ? visible.next() : before;
        int n = RevisionChain.countBefore(revisions, bound);
        if (n == 0) {
            return null;
        }
        Revision chosen = revisions[n - 1];
        if (!chosen.hasData()) {
            throw noData(oid, chosen.tid());
        }
        Tid end = n < revisions.length && !revisions[n].tid().isAfter(visible) ? revisions[n].tid() : null;
        return new LoadResult(chosen.data().clone(), chosen.tid(), end);
    }

    @Override
    public byte[] loadSerial(Oid oid, Tid serial) {
        Revision r = RevisionChain.find(revisionsOf(oid), serial);
        if (r == null) {
            throw new POSKeyException(oid, "oid " + oid + " has no revision " + serial);
        }
        if (!r.hasData()) {
            throw noData(oid, serial);
        }
        return r.data().clone();
    }

    @Override
    public Tid getTid(Oid oid) {
        Revision current = RevisionChain.current(revisionsOf(oid));
        if (!current.hasData()) {
            throw noData(oid, current.tid());
        }
        return current.tid();
    }

    @Override
    public List<HistoryEntry> history(Oid oid, int size) {
        Revision[] revisions = revisionsOf(oid);
        List<HistoryEntry> entries = new ArrayList<>();
        for (int i = revisions.length - 1; i >= 0 && entries.size() < size; i--) {
            Revision r = revisions[i];
            TxnHeader h = r.txn();
            entries.add(new HistoryEntry(h.tid(), h.time(), h.user().clone(), h.description().clone(),
                    r.storedLength(), h.extension()));
        }
        return entries;
    }

    /** Objects whose current revision has no data (deleted, or creation undone) are skipped. */
    @Override
    public CurrentRecord recordIterNext(Oid next) {
        checkOpen();
        Map.Entry<Oid, Revision[]> e = liveEntryFrom(next == null ? objects.firstEntry() : objects.ceilingEntry(next));
        if (e == null) {
            return null;
        }
        Revision current = RevisionChain.current(e.getValue());
        Map.Entry<Oid, Revision[]> following = liveEntryFrom(objects.higherEntry(e.getKey()));
        return new CurrentRecord(e.getKey(), current.tid(), current.data().clone(),
                following == null ? null : following.getKey());
    }

    private Map.Entry<Oid, Revision[]> liveEntryFrom(Map.Entry<Oid, Revision[]> e) {
        while (e != null && !RevisionChain.current(e.getValue()).hasData()) {
            e = objects.higherEntry(e.getKey());
        }
        return e;
    }

    @Override
    public StorageIterator iterator(Tid start, Tid stop) {
        checkOpen();
        Tid low = start == null ? Tid.ZERO : start;
        Tid high = lastTid;
        if (stop != null && stop.isBefore(high)) {
            high = stop;
        }
        Iterator<MemoryTransaction> source = low.compareTo(high) > 0
                ? Collections.emptyIterator()
                : transactions.subMap(low, true, high, true).values().iterator();
        return new TransactionIterator(source);
    }

    @Override
    public List<UndoEntry> undoInfo(int first, int last, Predicate<UndoEntry> filter) {
        checkOpen();
        int end = last < 0 ? first - last : last;
        List<UndoEntry> entries = new ArrayList<>();
        int index = 0;
        for (MemoryTransaction txn : publishedNewestFirst()) {
            if (index >= end || txn.status() == 'p') {
                break; // undo never reaches past a packed transaction
            }
            if (txn.status() != ' ') {
                continue;
            }
            UndoEntry entry = undoEntry(txn);
            if (filter.test(entry)) {
                if (index >= first) {
                    entries.add(entry);
                }
                index++;
            }
        }
        return entries;
    }

    private static UndoEntry undoEntry(MemoryTransaction txn) {
        TxnHeader h = txn.header();
        return new UndoEntry(UndoEntry.idOf(h.tid()), h.tid(), h.time(), h.user().clone(), h.description().clone(),
                txn.size(), h.extension());
    }

    @Override
    public List<Invalidation> lastInvalidations(int count) {
        checkOpen();
        List<Invalidation> newestFirst = new ArrayList<>();
        for (MemoryTransaction txn : publishedNewestFirst()) {
            if (newestFirst.size() >= count) {
                break;
            }
            newestFirst.add(new Invalidation(txn.header().tid(), txn.records().stream().map(Revision::oid).toList()));
        }
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    private Iterable<MemoryTransaction> publishedNewestFirst() {
        return transactions.headMap(lastTid, true).descendingMap().values();
    }

    private Revision[] revisionsOf(Oid oid) {
        checkOpen();
        Revision[] revisions = objects.get(oid);
        if (revisions == null) {
            throw new POSKeyException(oid);
        }
        return revisions;
    }

    private static POSKeyException noData(Oid oid, Tid tid) {
        return new POSKeyException(oid, "oid " + oid + " has no data at revision " + tid
                + " (deleted, or its creation was undone)");
    }

    // ---------------------------------------------------------------- Storage: writes

    @Override
    public List<Oid> newOids(int count) {
        checkWritable();
        return oids.allocate(count);
    }

    @Override
    public StorageTransaction begin(TransactionMetadata metadata) {
        // Refused here, not only at the first store: an empty transaction would otherwise still commit a tid.
        checkWritable();
        return new StagedTransaction<>(metadata, this, sequencer, locks, readOnly);
    }

    @Override
    public void pack(Tid packTime, boolean gc) {
        checkWritable();
        if (packTime.equals(Tid.ZERO)) {
            throw new StorageException("invalid pack time " + packTime);
        }
        if (!packing.compareAndSet(false, true)) {
            throw new StorageException("Already packing");
        }
        try {
            publishLock.lock();
            try {
                // Beyond the last published tid there is nothing to pack; clamping also keeps transactions that
                // are appended but not yet published out of the pack's view entirely.
                Tid effective = packTime.isBefore(lastTid) ? packTime : lastTid;
                MemoryPacker.Result result = packer.pack(objects, transactions, effective, gc);
                if (result != null) {
                    install(result);
                }
            } finally {
                publishLock.unlock();
            }
        } finally {
            packing.set(false);
        }
    }

    /** Replaces the state by a pack's result; runs under {@link #publishLock}. */
    private void install(MemoryPacker.Result result) {
        objects.keySet().retainAll(result.objects().keySet());
        objects.putAll(result.objects());
        transactions.keySet().retainAll(result.transactions().keySet());
        transactions.putAll(result.transactions());
        length = result.objects().size();
        size = result.transactions().values().stream().mapToLong(MemoryTransaction::size).sum();
    }

    private void checkWritable() {
        checkOpen();
        if (readOnly) {
            throw new ReadOnlyException("storage " + name + " is read-only");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("storage " + name + " is closed");
        }
    }

    // ---------------------------------------------------------------- CommitTarget

    @Override
    public Tid currentSerial(Oid oid) {
        Revision current = RevisionChain.current(objects.get(oid));
        return current == null ? null : current.tid();
    }

    @Override
    public List<Oid> undoableOids(Tid tid) {
        return undoable(tid).records().stream().map(Revision::oid).toList();
    }

    private MemoryTransaction undoable(Tid tid) {
        MemoryTransaction txn = tid.isAfter(lastTid) ? null : transactions.get(tid);
        if (txn == null) {
            throw new UndoException("Invalid transaction id: no transaction " + tid, null);
        }
        if (txn.status() != ' ') {
            throw new UndoException("non-undoable transaction " + tid + " (status '" + txn.status() + "')", null);
        }
        return txn;
    }

    /**
     * Undo as FileStorage does it (spec §8): a record can be undone if it is still its object's current revision
     * (counting what this transaction already wrote), or if the current state is byte-identical to it; the undo
     * record then repeats the revision before it, or has no data when the undone record created the object.
     */
    @Override
    public List<PreparedRecord> planUndo(Tid tid, Map<Oid, PreparedRecord> pending) {
        MemoryTransaction txn = undoable(tid);
        List<PreparedRecord> records = new ArrayList<>();
        List<UndoException> errors = new ArrayList<>();
        for (Revision undone : txn.records()) {
            Oid oid = undone.oid();
            Revision[] revisions = objects.get(oid);
            int at = RevisionChain.indexOf(revisions, undone.tid());
            Revision previous = at > 0 ? revisions[at - 1] : null;
            if (!isStillUndoable(undone, revisions, pending.get(oid))) {
                errors.add(new UndoException(previous == null
                        ? "Can't undo an add transaction followed by conflicting transactions"
                        : "Some data were modified by a later transaction", oid));
                continue;
            }
            RecordSource source = previous == null
                    ? new RecordSource.NoData()
                    : new RecordSource.SameAs(previous.tid(), -1);
            records.add(new PreparedRecord(oid, source));
        }
        if (!errors.isEmpty()) {
            throw UndoException.of(errors);
        }
        return records;
    }

    private boolean isStillUndoable(Revision undone, Revision[] revisions, PreparedRecord written) {
        if (written == null) {
            Revision current = RevisionChain.current(revisions);
            return current == undone || Arrays.equals(current.data(), undone.data());
        }
        return Arrays.equals(stateOf(undone.oid(), written.source()), undone.data());
    }

    /** The state a prepared record will have; null for no data. */
    private byte[] stateOf(Oid oid, RecordSource source) {
        if (source instanceof RecordSource.Inline inline) {
            return inline.data();
        }
        if (source instanceof RecordSource.SameAs same) {
            return resolve(oid, same.dataTxn()).data();
        }
        return null;
    }

    @Override
    public RecordSource restoreSource(Oid oid, Tid prevTxn) {
        if (RevisionChain.find(objects.get(oid), prevTxn) == null) {
            throw new POSKeyException(oid, "cannot restore oid " + oid + " from transaction " + prevTxn
                    + ": it has no record of that object");
        }
        return new RecordSource.SameAs(prevTxn, -1);
    }

    /** Builds the transaction's revisions; nothing is visible until {@link #publish}. */
    @Override
    public MemoryTransaction append(PreparedTransaction prepared, Tid tid) {
        TxnHeader header = TxnHeader.of(tid, prepared.metadata());
        List<Revision> revisions = new ArrayList<>(prepared.records().size());
        for (PreparedRecord record : prepared.records()) {
            revisions.add(revision(record, header));
            raiseMaxOid(record.oid());
        }
        lastAppended = tid;
        return MemoryTransaction.of(header, prepared.metadata().status(), revisions);
    }

    private Revision revision(PreparedRecord record, TxnHeader header) {
        RecordSource source = record.source();
        if (source instanceof RecordSource.Inline inline) {
            return new Revision(record.oid(), header, inline.data(), null);
        }
        if (source instanceof RecordSource.SameAs same) {
            return new Revision(record.oid(), header, resolve(record.oid(), same.dataTxn()).data(), same.dataTxn());
        }
        return new Revision(record.oid(), header, null, null);
    }

    private Revision resolve(Oid oid, Tid tid) {
        Revision r = RevisionChain.find(objects.get(oid), tid);
        if (r == null) {
            // Only possible if a pack removed the revision between vote and finish.
            throw new StorageException("revision " + tid + " of oid " + oid + " no longer exists (removed by pack)");
        }
        return r;
    }

    private void raiseMaxOid(Oid oid) {
        oids.observe(oid.value());
    }

    /** Nothing to make durable: memory is all there is. */
    @Override
    public void sync() {
    }

    @Override
    public void publish(MemoryTransaction txn) {
        publishLock.lock();
        try {
            long added = 0;
            for (Revision r : txn.records()) {
                Revision[] before = objects.get(r.oid());
                if (before == null) {
                    added++;
                }
                objects.put(r.oid(), RevisionChain.appended(before, r));
            }
            transactions.put(txn.header().tid(), txn);
            length += added;
            size += txn.size();
            // Last: a reader that sees this tid finds every revision written above.
            lastTid = txn.header().tid();
        } finally {
            publishLock.unlock();
        }
    }

    @Override
    public Tid lastAppendedTid() {
        return lastAppended;
    }

    /** Converts stored transactions to the contract's records lazily, one transaction at a time. */
    private static final class TransactionIterator implements StorageIterator {
        private final Iterator<MemoryTransaction> source;

        TransactionIterator(Iterator<MemoryTransaction> source) {
            this.source = source;
        }

        @Override
        public boolean hasNext() {
            return source.hasNext();
        }

        @Override
        public TransactionRecord next() {
            if (!source.hasNext()) {
                throw new NoSuchElementException();
            }
            MemoryTransaction txn = source.next();
            TxnHeader h = txn.header();
            List<DataRecord> records = new ArrayList<>(txn.records().size());
            for (Revision r : txn.records()) {
                records.add(new DataRecord(r.oid(), h.tid(), r.hasData() ? r.data().clone() : null, r.dataTxn()));
            }
            return new TransactionRecord(h.tid(), txn.status(), h.user().clone(), h.description().clone(),
                    h.extension(), records);
        }

        @Override
        public void close() {
        }
    }
}
