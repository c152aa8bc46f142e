package org.jzeo.server.storage.commit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadConflictException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.api.Tid;
import org.jzeo.storage.Operation;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * The storage-independent two-phase commit: records operations until vote, then locks the objects involved
 * (ascending oids, bounded wait), checks serials against the committed state, and hands the prepared records to
 * the {@link CommitSequencer} at finish. Locks are held from vote to finish or abort, so the checks made at vote
 * still hold when the transaction is written.
 *
 * <p>Blob stores carry their file to the prepared record; a vote that prepares any makes them durable through
 * {@link CommitTarget#blobsVoted} before it answers, and the target gives them their committed files at append.
 *
 * <p>States: OPEN → (vote) VOTED → (finish) FINISHED; any state → (abort, or a failed vote) ABORTED.
 */
public final class StagedTransaction<A> implements StorageTransaction {

    private enum State { OPEN, VOTED, FINISHED, ABORTED }

    private final TransactionMetadata metadata;
    private final CommitTarget<A> target;
    private final CommitSequencer<A> sequencer;
    private final ObjectLocks locks;
    private final boolean readOnly;
    private final List<Operation> operations = new ArrayList<>();
    private final TreeSet<Oid> locked = new TreeSet<>();
    private PreparedTransaction prepared;
    private State state = State.OPEN;
    private Tid committedTid;
    private volatile boolean cancelled;
    /** Set once a vote answered conflicts: the transaction is open again, for the client's resolved stores. */
    private boolean resolving;

    public StagedTransaction(TransactionMetadata metadata, CommitTarget<A> target, CommitSequencer<A> sequencer,
                             ObjectLocks locks, boolean readOnly) {
        this.metadata = metadata;
        this.target = target;
        this.sequencer = sequencer;
        this.locks = locks;
        this.readOnly = readOnly;
    }

    @Override
    public TransactionMetadata metadata() {
        return metadata;
    }

    @Override
    public void store(Oid oid, Tid serial, byte[] data) {
        replaceConflictingStore(oid);
        add(new Operation.Store(oid, serial, data.clone()));
    }

    /** After a vote that answered conflicts, the client's resolved data replaces the conflicting store. */
    private void replaceConflictingStore(Oid oid) {
        if (resolving) {
            operations.removeIf(op -> (op instanceof Operation.Store || op instanceof Operation.StoreBlob)
                    && oid.equals(op.oid()));
        }
    }

    @Override
    public void storeBlob(Oid oid, Tid serial, byte[] data, Path blobFile) {
        requireBlobs(oid);
        replaceConflictingStore(oid);
        add(new Operation.StoreBlob(oid, serial, data.clone(), blobFile));
    }

    @Override
    public void restoreBlob(Oid oid, Tid serial, byte[] data, Tid prevTxn, Path blobFile) {
        requireBlobs(oid);
        add(new Operation.RestoreBlob(oid, serial, data == null ? null : data.clone(), prevTxn, blobFile));
    }

    private void requireBlobs(Oid oid) {
        if (!target.keepsBlobs()) {
            throw new StorageException("this storage keeps no blobs (no blob directory): cannot store the blob of"
                    + " oid " + oid);
        }
    }

    @Override
    public void checkCurrentSerial(Oid oid, Tid serial) {
        add(new Operation.CheckCurrent(oid, serial));
    }

    @Override
    public void delete(Oid oid, Tid serial) {
        add(new Operation.Delete(oid, serial));
    }

    @Override
    public void restore(Oid oid, Tid serial, byte[] data, Tid prevTxn) {
        add(new Operation.Restore(oid, serial, data == null ? null : data.clone(), prevTxn));
    }

    @Override
    public void undo(byte[] transactionId) {
        Operation.Undo undo = new Operation.Undo(transactionId.clone());
        undo.tid(); // a malformed id is refused by this call, not later by the vote
        add(undo);
    }

    private void add(Operation op) {
        requireState(State.OPEN, "add to");
        if (readOnly) {
            throw new ReadOnlyException("the storage is read-only");
        }
        operations.add(op);
    }

    @Override
    public List<Oid> vote() {
        requireState(State.OPEN, "vote");
        boolean ok = false;
        try {
            List<Oid> undone = prepare(null);
            state = State.VOTED;
            ok = true;
            return undone;
        } finally {
            if (!ok) {
                abort();
            }
        }
    }

    @Override
    public Vote voteAllowingConflicts() {
        requireState(State.OPEN, "vote");
        boolean ok = false;
        try {
            List<ConflictException> conflicts = new ArrayList<>();
            List<Oid> undone = prepare(conflicts);
            ok = true;
            if (!conflicts.isEmpty()) {
                prepared = null;
                resolving = true;
                return new Vote(List.of(), conflicts); // open, locks kept
            }
            state = State.VOTED;
            return new Vote(undone, List.of());
        } finally {
            if (!ok) {
                abort();
            }
        }
    }

    /**
     * Locks (again, harmlessly, after a vote that answered conflicts), checks and prepares. Store conflicts are
     * thrown, or added to {@code storeConflicts} when it is given.
     */
    private List<Oid> prepare(List<ConflictException> storeConflicts) {
        if (readOnly) {
            // add() refuses every operation, but an empty transaction would still commit a new tid.
            throw new ReadOnlyException("the storage is read-only");
        }
        TreeSet<Oid> toLock = new TreeSet<>();
        for (Operation op : operations) {
            if (op instanceof Operation.Undo u) {
                toLock.addAll(target.undoableOids(u.tid()));
            } else {
                toLock.add(op.oid());
            }
        }
        locks.lockAll(this, toLock, () -> cancelled);
        locked.addAll(toLock);

        Map<Oid, PreparedRecord> records = new LinkedHashMap<>();
        List<Oid> undone = new ArrayList<>();
        for (Operation op : operations) {
            if (op instanceof Operation.Store st) {
                storeChecked(records, st.oid(), st.serial(), st.data(), null, storeConflicts);
            } else if (op instanceof Operation.StoreBlob sb) {
                storeChecked(records, sb.oid(), sb.serial(), sb.data(), sb.file(), storeConflicts);
            } else if (op instanceof Operation.CheckCurrent c) {
                Tid committed = target.currentSerial(c.oid());
                if (committed == null) {
                    throw new POSKeyException(c.oid());
                }
                if (!committed.equals(c.serial())) {
                    throw new ReadConflictException(c.oid(), committed, c.serial());
                }
            } else if (op instanceof Operation.Delete d) {
                Tid committed = target.currentSerial(d.oid());
                if (committed == null) {
                    throw new POSKeyException(d.oid());
                }
                if (!committed.equals(d.serial())) {
                    throw new ConflictException(d.oid(), committed, d.serial());
                }
                put(records, new PreparedRecord(d.oid(), new RecordSource.NoData()));
            } else if (op instanceof Operation.Restore r) {
                put(records, new PreparedRecord(r.oid(), restoreSource(r.oid(), r.data(), r.prevTxn())));
            } else if (op instanceof Operation.RestoreBlob r) {
                put(records, new PreparedRecord(r.oid(), restoreSource(r.oid(), r.data(), r.prevTxn()), r.file()));
            } else if (op instanceof Operation.Undo u) {
                for (PreparedRecord record : target.planUndo(u.tid(), records)) {
                    put(records, record);
                    undone.add(record.oid());
                }
            }
        }
        prepared = new PreparedTransaction(metadata, List.copyOf(records.values()));
        if ((storeConflicts == null || storeConflicts.isEmpty())
                && prepared.records().stream().anyMatch(r -> r.blob() != null)) {
            try {
                target.blobsVoted(prepared);
            } catch (IOException e) {
                throw new StorageException("could not make the blobs of the transaction durable: " + e.getMessage(),
                        e);
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(undone));
    }

    /** A store (with its blob, or none), after checking that it read the committed revision. */
    private void storeChecked(Map<Oid, PreparedRecord> records, Oid oid, Tid serial, byte[] data, Path blob,
                              List<ConflictException> storeConflicts) {
        ConflictException conflict = serialConflict(oid, serial);
        if (conflict != null) {
            if (storeConflicts == null) {
                throw conflict;
            }
            storeConflicts.add(conflict);
            return;
        }
        put(records, new PreparedRecord(oid, new RecordSource.Inline(data), blob));
    }

    private RecordSource restoreSource(Oid oid, byte[] data, Tid prevTxn) {
        if (data != null) {
            return new RecordSource.Inline(data);
        }
        if (prevTxn == null) {
            return new RecordSource.NoData();
        }
        return target.restoreSource(oid, prevTxn);
    }

    /** The conflict of a store that read {@code serial} of {@code oid}, or null when that is the committed one. */
    private ConflictException serialConflict(Oid oid, Tid serial) {
        Tid committed = target.currentSerial(oid);
        return committed != null && !committed.equals(serial) ? new ConflictException(oid, committed, serial) : null;
    }

    /** Last write of an oid wins; the record keeps the place of the oid's first write. */
    private static void put(Map<Oid, PreparedRecord> records, PreparedRecord record) {
        records.put(record.oid(), record);
    }

    @Override
    public Tid finish() {
        requireState(State.VOTED, "finish");
        try {
            committedTid = sequencer.commit(prepared, this);
            state = State.FINISHED;
            return committedTid;
        } catch (RuntimeException e) {
            abort();
            throw e;
        } finally {
            locks.unlockAll(this, locked);
        }
    }

    @Override
    public void abort() {
        if (state == State.FINISHED || state == State.ABORTED) {
            return;
        }
        state = State.ABORTED;
        prepared = null;
        locks.unlockAll(this, locked);
    }

    @Override
    public void cancel() {
        cancelled = true;
        locks.wakeWaiters();
    }

    @Override
    public List<Oid> writtenOids() {
        if (prepared == null) {
            return List.of();
        }
        return prepared.records().stream().map(PreparedRecord::oid).toList();
    }

    /** The tid given at finish, or null before. */
    public Tid committedTid() {
        return committedTid;
    }

    private void requireState(State expected, String action) {
        if (state != expected) {
            throw new StorageTransactionException("cannot " + action + " a transaction that is "
                    + state.name().toLowerCase());
        }
    }
}
