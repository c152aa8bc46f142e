package org.jzeo.storage;

import java.nio.file.Path;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * One storage transaction, from {@code tpc_begin} to {@code tpc_finish} or {@code tpc_abort}.
 *
 * <p>Until {@link #vote()} the operations are only recorded, in order; nothing touches the storage and no
 * lock is held. {@link #vote()} locks the objects the transaction writes or read-checks, then checks every
 * serial; after a successful vote, {@link #finish()} cannot fail for a conflict. The tid is assigned at
 * finish. Any failure in vote aborts the transaction. A transaction is used by one thread at a time.
 */
public interface StorageTransaction {

    TransactionMetadata metadata();

    /**
     * Stores a new revision; {@code serial} is the tid of the revision read ({@link Tid#ZERO} or null: a new
     * object).
     */
    void store(Oid oid, Tid serial, byte[] data);

    /**
     * As {@link #store}, with the blob content in {@code blobFile}, a file in the storage's {@link
     * Storage#blobTemporaryDirectory()} (or in the oid's own folder of the blob directory, as ZEO's shared blob
     * directories place them). The file stays the caller's: the storage reads it, makes its content durable at vote,
     * gives the committed revision its own copy or link at finish and never deletes or changes it; the caller
     * removes it once the transaction finished or aborted. The file must not change meanwhile.
     *
     * @throws org.jzeo.api.StorageException the storage has no blob directory
     */
    default void storeBlob(Oid oid, Tid serial, byte[] data, Path blobFile) {
        throw new org.jzeo.api.StorageException("this storage keeps no blobs (no blob directory): cannot store"
                + " the blob of oid " + oid);
    }

    /** As {@link #restore}, with the revision's blob content in {@code blobFile} (same rules as {@link #storeBlob}). */
    default void restoreBlob(Oid oid, Tid serial, byte[] data, Tid prevTxn, Path blobFile) {
        throw new org.jzeo.api.StorageException("this storage keeps no blobs (no blob directory): cannot restore"
                + " the blob of oid " + oid);
    }

    /** Requires {@code oid} to still be at revision {@code serial} at vote ({@code readCurrent}). */
    void checkCurrentSerial(Oid oid, Tid serial);

    /** Writes a deletion record (IExternalGC): the object must exist at revision {@code serial}. */
    void delete(Oid oid, Tid serial);

    /**
     * Copies a committed revision without conflict checks (IStorageRestoreable). {@code data} null with a
     * non-null {@code prevTxn} means "the same data as in transaction prevTxn"; both null writes a record with
     * no data.
     */
    void restore(Oid oid, Tid serial, byte[] data, Tid prevTxn);

    /** Undoes the transaction whose undo id ({@link UndoEntry#id()}) is given; evaluated at vote. */
    void undo(byte[] transactionId);

    /**
     * Locks, checks and prepares the transaction.
     *
     * @return the oids written by undo (they must be invalidated, not cached, by the committer)
     * @throws org.jzeo.api.ConflictException     a store's serial is not current, or a lock wait timed out
     * @throws org.jzeo.api.ReadConflictException a read-current check failed
     * @throws org.jzeo.api.POSKeyException        a delete of a missing object
     * @throws org.jzeo.api.UndoException          the undo cannot be done
     */
    List<Oid> vote();

    /**
     * For client-side conflict resolution (ZEO's client-conflict-resolution): as {@link #vote()}, except that a
     * store whose serial is not the committed one does not fail the vote. Such conflicts are returned instead; the
     * transaction then stays open and keeps its locks, so the committed state the client resolves against cannot
     * change before it stores the resolved data (a later {@link #store} of an oid replaces the earlier one) and
     * votes again. Every other failure is thrown as by {@link #vote()}. By default conflicts are thrown.
     */
    default Vote voteAllowingConflicts() {
        return new Vote(vote(), List.of());
    }

    /**
     * What {@link #voteAllowingConflicts()} found: the transaction voted ({@code conflicts} empty; {@code changed}
     * as {@link #vote()} returns it), or the store conflicts to resolve.
     */
    record Vote(List<Oid> changed, List<org.jzeo.api.ConflictException> conflicts) {
        public Vote {
            changed = List.copyOf(changed);
            conflicts = List.copyOf(conflicts);
        }
    }

    /** Assigns the tid, writes the transaction durably and makes it visible; returns the tid. */
    Tid finish();

    /** Drops the transaction and releases its locks. Harmless after finish or a failed vote. */
    void abort();

    /**
     * Abandons the transaction from another thread: a vote waiting for object locks gives up at once (with a
     * ConflictException) instead of at the end of its wait. The owning thread still calls {@link #abort()}.
     * Used when the client that owns the transaction disconnects.
     */
    void cancel();

    /** Every oid this transaction stored, deleted, restored or undid (known after vote). */
    List<Oid> writtenOids();
}
