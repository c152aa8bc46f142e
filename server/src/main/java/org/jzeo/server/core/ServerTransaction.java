package org.jzeo.server.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jzeo.api.Oid;
import org.jzeo.server.storage.ReceivedBlobFiles;
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
    /** Every blob file received for this transaction, also those a later store of the same oid replaced. */
    private final List<Path> blobFiles = new ArrayList<>();
    /** The first blob store that could not be received: the vote fails with it. */
    private RuntimeException blobFailure;
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
        if (op instanceof Operation.StoreBlob b) {
            blobFiles.add(b.file());
        }
        if (op instanceof Operation.Store || op instanceof Operation.StoreBlob || op instanceof Operation.Restore) {
            // A blob store replaces the plain storea of the same oid that ZEO's client sends before it.
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
        Operation op = ops.get(oid);
        if (op instanceof Operation.Store s) {
            return s.data();
        }
        return op instanceof Operation.StoreBlob b ? b.data() : null;
    }

    /** Remembers a blob store that could not be received (too large, disk full): the vote fails with it. */
    void blobFailed(RuntimeException failure) {
        if (blobFailure == null) {
            blobFailure = failure;
        }
    }

    /** Throws the failure of a blob store, if one could not be received. */
    void requireBlobsReceived() {
        if (blobFailure != null) {
            throw blobFailure;
        }
    }

    /** The transaction ended (finished, aborted, failed): the blob files received for it go. */
    void discardBlobFiles() {
        blobFiles.forEach(ReceivedBlobFiles::delete);
        blobFiles.clear();
    }

    /**
     * An XA branch took this transaction's operations: the files of its blob stores are the branch's now (removed
     * when it ends); files replaced by a later store of the same oid go.
     */
    void handBlobFilesToBranch() {
        Set<Path> kept = ReceivedBlobFiles.files(operations());
        blobFiles.removeIf(kept::contains);
        discardBlobFiles();
    }

    int storeCount() {
        int n = 0;
        for (Operation op : ops.values()) {
            if (op instanceof Operation.Store || op instanceof Operation.StoreBlob) {
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
