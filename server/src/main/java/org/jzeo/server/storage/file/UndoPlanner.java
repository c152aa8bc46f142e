package org.jzeo.server.storage.file;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.api.UndoException;
import org.jzeo.server.storage.commit.PreparedRecord;
import org.jzeo.server.storage.commit.RecordSource;
import org.jzeo.storage.UndoEntry;

/**
 * Undo on Data.fs (spec §7 undoLog and §8): lists undoable transactions, and turns "undo transaction T" into
 * back-pointer records that restore each object's state from before T. An object changed since T in a way
 * that does not leave the same data in place cannot be undone (Java cannot run Python conflict resolution).
 */
final class UndoPlanner {
    private final DataFile file;
    private final OidIndex index;
    private final long end;

    UndoPlanner(DataFile file, OidIndex index, long end) {
        this.file = file;
        this.index = index;
        this.end = end;
    }

    /** undoLog/undoInfo: newest first, stopping at the first packed transaction. */
    List<UndoEntry> undoInfo(int first, int last, Predicate<UndoEntry> filter) {
        int upTo = last < 0 ? first - last : last;
        List<UndoEntry> result = new ArrayList<>();
        TransactionWalker walker = new TransactionWalker(file, end);
        int matched = 0;
        TransactionHeader h = walker.before(end);
        while (h != null && matched < upTo && h.status() != FileFormat.STATUS_PACKED) {
            if (h.status() == FileFormat.STATUS_COMMITTED) {
                UndoEntry entry = new UndoEntry(UndoEntry.idOf(h.tid()), h.tid(), h.tid().toEpochSeconds(),
                        h.user(), h.description(), h.tlen(), ExtensionCodec.decode(h));
                if (filter.test(entry)) {
                    if (matched >= first) {
                        result.add(entry);
                    }
                    matched++;
                }
            }
            h = walker.before(h.pos());
        }
        return result;
    }

    /** The transaction to undo; UndoException when it is unknown or not undoable. */
    TransactionHeader undoable(Tid tid) {
        TransactionHeader h = new TransactionWalker(file, end).find(tid);
        if (h == null) {
            throw new UndoException("Invalid transaction id " + tid, null);
        }
        if (h.status() != FileFormat.STATUS_COMMITTED) {
            throw new UndoException("non-undoable transaction " + tid + " (status '" + (char) h.status() + "')", null);
        }
        return h;
    }

    List<Oid> oidsOf(TransactionHeader txn) {
        LinkedHashSet<Oid> oids = new LinkedHashSet<>();
        long p = txn.dataStart();
        while (p < txn.dataEnd()) {
            DataHeader d = file.readDataHeader(p);
            oids.add(d.oid());
            p = d.end();
        }
        return List.copyOf(oids);
    }

    /**
     * The records undoing {@code txn}. {@code pending} holds this transaction's records so far: an object
     * already rewritten by an earlier undo in the same transaction is compared with that rewrite.
     */
    List<PreparedRecord> plan(TransactionHeader txn, Map<Oid, PreparedRecord> pending) {
        List<PreparedRecord> records = new ArrayList<>();
        List<UndoException> errors = new ArrayList<>();
        long p = txn.dataStart();
        while (p < txn.dataEnd()) {
            DataHeader d = file.readDataHeader(p);
            Oid oid = d.oid();
            try {
                checkUndoable(d, pending.get(oid));
                RecordSource source = d.prev() == 0 ? new RecordSource.NoData()
                        : new RecordSource.SameAs(file.readDataHeader(d.prev()).tid(), d.prev());
                records.add(new PreparedRecord(oid, source));
                errors.removeIf(e -> oid.equals(e.oid()));
            } catch (UndoException e) {
                errors.add(e);
            }
            p = d.end();
        }
        if (!errors.isEmpty()) {
            throw UndoException.of(errors);
        }
        return records;
    }

    private void checkUndoable(DataHeader undone, PreparedRecord pendingRecord) {
        long current = index.get(undone.oid().value());
        if (pendingRecord == null && current == undone.pos()) {
            return;
        }
        long undoneData = file.dataPosition(undone);
        long currentData;
        if (pendingRecord != null) {
            currentData = dataPosition(pendingRecord.source());
        } else if (current == OidIndex.ABSENT) {
            currentData = 0;
        } else {
            currentData = file.dataPosition(file.readDataHeader(current));
        }
        if (currentData == undoneData || sameBytes(currentData, undoneData, pendingRecord)) {
            return;
        }
        if (undone.prev() == 0) {
            throw new UndoException("Can't undo an add transaction followed by conflicting transactions",
                    undone.oid());
        }
        throw new UndoException("Some data were modified by a later transaction", undone.oid());
    }

    private long dataPosition(RecordSource source) {
        if (source instanceof RecordSource.SameAs same) {
            return same.position() == 0 ? 0 : file.dataPosition(file.readDataHeader(same.position()));
        }
        return -1;
    }

    private boolean sameBytes(long currentData, long undoneData, PreparedRecord pendingRecord) {
        if (undoneData == 0) {
            return false;
        }
        byte[] undoneBytes = file.data(file.readDataHeader(undoneData));
        byte[] currentBytes;
        if (pendingRecord != null && pendingRecord.source() instanceof RecordSource.Inline inline) {
            currentBytes = inline.data();
        } else if (currentData > 0) {
            currentBytes = file.data(file.readDataHeader(currentData));
        } else {
            return false;
        }
        return Arrays.equals(undoneBytes, currentBytes);
    }
}
