package org.jzeo.server.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jzeo.api.Oid;
import org.jzeo.storage.Operation;
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
    /** Keyed by oid for a store or a restore (a later one replaces it), by arrival for the others. */
    private final Map<Object, Operation> ops = new LinkedHashMap<>();
    private int sequence;
    private StorageTransaction storageTransaction;
    /** Server time spent in this transaction's vote rounds so far (for the commit latency histogram). */
    long voteNanos;

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

    /** Buffers {@code op}. */
    void add(Operation op) {
        if (op instanceof Operation.Store || op instanceof Operation.Restore) {
            ops.put(op.oid(), op);
        } else {
            ops.put(sequence++, op);
        }
        if (op instanceof Operation.Store && storageTransaction != null) {
            // A resolved store after a vote that answered conflicts: the open storage transaction takes it too.
            op.applyTo(storageTransaction);
        }
    }

    /** The buffer in replay order. */
    List<Operation> operations() {
        return List.copyOf(ops.values());
    }

    /** The data this transaction stores for {@code oid}, or null. */
    byte[] storedData(Oid oid) {
        return ops.get(oid) instanceof Operation.Store s ? s.data() : null;
    }

    int storeCount() {
        int n = 0;
        for (Operation op : ops.values()) {
            if (op instanceof Operation.Store) {
                n++;
            }
        }
        return n;
    }

    /** Replays the buffer into {@code txn} and remembers it as the storage transaction being voted. */
    void replayInto(StorageTransaction txn) {
        for (Operation op : ops.values()) {
            op.applyTo(txn);
        }
        storageTransaction = txn;
    }

    /** The storage transaction of the current vote round, or null before vote. */
    StorageTransaction storageTransaction() {
        return storageTransaction;
    }

    void clearStorageTransaction() {
        storageTransaction = null;
    }
}
