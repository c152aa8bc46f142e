package org.jzeo.server.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.xa.BranchOp;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * What a client sent between {@code tpc_begin} and {@code vote}, buffered on the server (nothing touches the
 * storage before vote). A later store of the same oid replaces the earlier one: in client-side conflict
 * resolution it is the client's resolved data, which also goes to the storage transaction that the vote answering
 * the conflicts left open (with its locks).
 */
final class ServerTransaction {
    private final Object clientTxnId;
    private final TransactionMetadata metadata;
    private final Map<Object, Op> ops = new LinkedHashMap<>();
    private int sequence;
    private StorageTransaction storageTransaction;
    /** Server time spent in this transaction's vote rounds so far (for the commit latency histogram). */
    long voteNanos;

    private interface Op {
        void replay(StorageTransaction txn);

        /** What the XA prepared log keeps of this operation; null for those an XA branch may not hold. */
        default BranchOp branchOp() {
            return null;
        }
    }

    private record Store(Oid oid, Tid serial, byte[] data) implements Op {
        @Override
        public void replay(StorageTransaction txn) {
            txn.store(oid, serial, data);
        }

        @Override
        public BranchOp branchOp() {
            return new BranchOp.Store(oid, serial, data);
        }
    }

    /** A read-current check or a delete, kept as the log keeps it. */
    private record Logged(BranchOp op) implements Op {
        @Override
        public void replay(StorageTransaction txn) {
            op.replay(txn);
        }

        @Override
        public BranchOp branchOp() {
            return op;
        }
    }

    ServerTransaction(Object clientTxnId, TransactionMetadata metadata) {
        this.clientTxnId = clientTxnId;
        this.metadata = metadata;
    }

    /** Whether {@code txnId} (as decoded from the wire) names this transaction; compared by value. */
    boolean isNamed(Object txnId) {
        return Objects.equals(normalise(clientTxnId), normalise(txnId));
    }

    private static Object normalise(Object id) {
        if (id instanceof java.math.BigInteger big && big.bitLength() < 64) {
            return big.longValue();
        }
        if (id instanceof Number n && !(id instanceof java.math.BigInteger)) {
            return n.longValue();
        }
        return id;
    }

    Object clientTxnId() {
        return clientTxnId;
    }

    TransactionMetadata metadata() {
        return metadata;
    }

    void store(Oid oid, Tid serial, byte[] data) {
        ops.put(oid, new Store(oid, serial, data));
        if (storageTransaction != null) {
            // A resolved store after a vote that answered conflicts: the open storage transaction takes it too.
            storageTransaction.store(oid, serial, data);
        }
    }

    void checkCurrent(Oid oid, Tid serial) {
        ops.put(sequence++, new Logged(new BranchOp.CheckCurrent(oid, serial)));
    }

    void delete(Oid oid, Tid serial) {
        ops.put(sequence++, new Logged(new BranchOp.Delete(oid, serial)));
    }

    void restore(Oid oid, Tid serial, byte[] data, Tid prevTxn) {
        ops.put(oid, txn -> txn.restore(oid, serial, data, prevTxn));
    }

    void undo(byte[] transactionId) {
        ops.put(sequence++, txn -> txn.undo(transactionId));
    }

    /**
     * The buffer as an XA branch keeps it in the prepared log, in replay order; null if it holds an undo or a
     * restore, which an XA branch may not.
     */
    java.util.List<BranchOp> branchOps() {
        java.util.List<BranchOp> result = new java.util.ArrayList<>(ops.size());
        for (Op op : ops.values()) {
            BranchOp b = op.branchOp();
            if (b == null) {
                return null;
            }
            result.add(b);
        }
        return result;
    }

    /** The data this transaction stores for {@code oid}, or null. */
    byte[] storedData(Oid oid) {
        Op op = ops.get(oid);
        return op instanceof Store s ? s.data() : null;
    }

    int storeCount() {
        int n = 0;
        for (Op op : ops.values()) {
            if (op instanceof Store) {
                n++;
            }
        }
        return n;
    }

    /** Replays the buffer into {@code txn} and remembers it as the storage transaction being voted. */
    void replayInto(StorageTransaction txn) {
        for (Op op : ops.values()) {
            op.replay(txn);
        }
        storageTransaction = txn;
    }

    /** The storage transaction of the current vote round, or null before vote. */
    StorageTransaction storageTransaction() {
        return storageTransaction;
    }

    /** Remembers {@code txn} as the storage transaction being voted (an XA prepare replays the buffer itself). */
    void setStorageTransaction(StorageTransaction txn) {
        storageTransaction = txn;
    }

    void clearStorageTransaction() {
        storageTransaction = null;
    }
}
