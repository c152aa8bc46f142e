package org.jzeo.server.storage.commit;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * What the generic two-phase commit ({@link StagedTransaction}, {@link CommitSequencer}) needs from a storage
 * engine. Implementations: the in-memory storage and FileStorage.
 *
 * @param <A> the engine's handle for a transaction appended but not yet published
 */
public interface CommitTarget<A> {

    /** The committed tid of {@code oid}'s current record (a deletion record counts), or null if unknown. */
    Tid currentSerial(Oid oid);

    /** The oids written by the undoable transaction {@code tid}; UndoException if it cannot be undone. */
    List<Oid> undoableOids(Tid tid);

    /**
     * The records that undo transaction {@code tid}, one per oid. {@code pending} holds the records this
     * transaction already prepared (an undo must see earlier undos of the same transaction).
     *
     * @throws org.jzeo.api.UndoException when some object was changed since in a way undo cannot reconcile
     */
    List<PreparedRecord> planUndo(Tid tid, Map<Oid, PreparedRecord> pending);

    /** The source for {@code restore(oid, serial, null, prevTxn)}: the record of {@code oid} in {@code prevTxn}. */
    RecordSource restoreSource(Oid oid, Tid prevTxn);

    /** Whether transactions may store blobs ({@link org.jzeo.storage.Storage#supportsBlobs()}). */
    default boolean keepsBlobs() {
        return false;
    }

    /**
     * Makes the blob files of a transaction that just voted durable, before the vote answers: an XA prepare that
     * follows must survive a power loss with its blobs. Called only when some record has a blob.
     */
    default void blobsVoted(PreparedTransaction txn) throws IOException {
        throw new IllegalStateException("this storage keeps no blobs");
    }

    /** Writes the transaction with {@code tid} after everything appended before; not yet durable nor visible. */
    A append(PreparedTransaction txn, Tid tid) throws IOException;

    /** Makes everything appended so far durable (fsync). */
    void sync() throws IOException;

    /** Makes an appended, durable transaction visible to readers. Called in append order. */
    void publish(A appended);

    /** The tid of the last transaction appended (published or not); {@link Tid#ZERO} when empty. */
    Tid lastAppendedTid();
}
