package org.jzeo.client;

import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jzeo.api.Oid;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.storage.TransactionMetadata;

/**
 * One transaction's state on the client before it reaches the server: its snapshot, the serials it read, the
 * objects it wrote, the oids it created, the transactions it undoes and its metadata. A local transaction owns one; an XA branch keeps one between
 * {@code start} and {@code prepare}, possibly across several connections (join, suspend, resume).
 */
final class UnitOfWork {
    /** The last transaction of the snapshot. */
    final Tid snapshot;
    /** The snapshot as loadBefore wants it: reads see revisions written before this tid. */
    final Tid before;
    /** Serial of each object read; ZERO for objects not found. */
    final Map<Oid, Tid> readSerials = new HashMap<>();
    final Map<Oid, StoredObject> writes = new LinkedHashMap<>();
    final Set<Oid> created = new HashSet<>();
    final long startedNanos = System.nanoTime();
    /** Transactions to undo at commit, in the order asked. */
    final List<Tid> undos = new ArrayList<>();
    /** The content of each blob object written, in a temporary file this work owns (see {@link #dropBlobFiles}). */
    final Map<Oid, java.nio.file.Path> blobs = new HashMap<>();
    /** Written objects whose state a conflict resolver merged at commit. */
    final Set<Oid> resolved = new HashSet<>();
    String user = "";
    String description = "";
    Map<String, Object> extension = Map.of();

    UnitOfWork(Tid snapshot) {
        this.snapshot = snapshot;
        this.before = snapshot.next();
    }

    /** Nothing to send: a commit just ends the transaction. */
    boolean isEmpty() {
        return writes.isEmpty() && undos.isEmpty();
    }

    /**
     * Removes the temporary blob files once the work's storage transaction ended (committed, aborted, or prepared:
     * the storage transaction keeps its own hold of the files it sends, as StorageTransaction.storeBlob says).
     */
    void dropBlobFiles() {
        blobs.values().forEach(org.jzeo.client.blob.BlobFiles::deleteQuietly);
        blobs.clear();
    }

    /** What tpc_begin carries for this work. */
    TransactionMetadata metadata() {
        return TransactionMetadata.of(user, description, extension);
    }
}
