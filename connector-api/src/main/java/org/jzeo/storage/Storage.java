package org.jzeo.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * The contract every jzeo storage implements: ZODB's storage operations, one to one, in Java style.
 *
 * <p>Reads are MVCC: they never block on commits and never see a transaction before its finish returned.
 * Methods may be called from many threads at once. Storage errors are unchecked {@link
 * org.jzeo.api.StorageException}s.
 */
public interface Storage extends AutoCloseable {

    /** The storage's name (the ZEO storage name, "1" by default). */
    String name();

    boolean isReadOnly();

    /** The last committed tid, {@link Tid#ZERO} for an empty storage. */
    Tid lastTransaction();

    /**
     * The newest revision of {@code oid} written before {@code before}: null if the object exists but has no
     * revision before it. {@code loadBefore(oid, Tid.MAX)} loads the current revision.
     *
     * @throws org.jzeo.api.POSKeyException the oid is unknown, or the chosen revision is a deletion
     */
    LoadResult loadBefore(Oid oid, Tid before);

    /**
     * Whether {@link #loadBefore} of these arguments would be answered from memory, without reading a file: a hint
     * for where to run the load (a server runs it on the connection's own thread then), which may change at any
     * moment. False unless the engine knows.
     */
    default boolean loadsFromMemory(Oid oid, Tid before) {
        return false;
    }

    /** The data of exactly revision {@code serial}; POSKeyException if there is none. */
    byte[] loadSerial(Oid oid, Tid serial);

    /** The current revision's tid; POSKeyException if missing or deleted. */
    default Tid getTid(Oid oid) {
        LoadResult r = loadBefore(oid, Tid.MAX);
        if (r == null) {
            throw new org.jzeo.api.POSKeyException(oid);
        }
        return r.start();
    }

    /** Up to {@code size} revisions of {@code oid}, newest first. */
    List<HistoryEntry> history(Oid oid, int size);

    /** {@code count} new oids, each above every oid the storage has seen. */
    List<Oid> newOids(int count);

    /** Starts a transaction; see {@link StorageTransaction}. */
    StorageTransaction begin(TransactionMetadata metadata);

    /** Committed transactions with {@code start <= tid <= stop} (null bounds are open), in commit order. */
    StorageIterator iterator(Tid start, Tid stop);

    /** The current record of the smallest oid {@code >= next} (null: the first oid), or null if none. */
    CurrentRecord recordIterNext(Oid next);

    /** Whether {@link #undoLog}, {@link #undoInfo} and {@link StorageTransaction#undo} are supported. */
    boolean supportsUndo();

    /** Undoable transactions, newest first, sliced {@code [first:last]}; a negative last means {@code first-last}. */
    default List<UndoEntry> undoLog(int first, int last) {
        return undoInfo(first, last, e -> true);
    }

    /** {@link #undoLog} keeping only the entries that {@code filter} accepts. */
    List<UndoEntry> undoInfo(int first, int last, Predicate<UndoEntry> filter);

    /**
     * The last {@code count} transactions' changed oids, oldest first (seeds the server's invalidation queue).
     */
    List<Invalidation> lastInvalidations(int count);

    /**
     * Removes history before {@code packTime}; with {@code gc}, also objects unreachable from the root at that
     * time. Reads and commits go on while it runs.
     */
    void pack(Tid packTime, boolean gc);

    // ------------------------------------------------------------ blobs (ZODB's IBlobStorage)

    /** Whether this storage keeps blobs: it has a blob directory. When false, the blob methods throw. */
    default boolean supportsBlobs() {
        return false;
    }

    /**
     * The committed blob file of revision {@code serial} of {@code oid}, to be read and never changed (several
     * revisions may share one file). The path follows ZODB's layout for the storage's blob directory, so a client
     * sharing that directory finds the same file.
     *
     * @throws org.jzeo.api.POSKeyException there is no blob file for that revision
     */
    default Path loadBlob(Oid oid, Tid serial) {
        throw noBlobs(this);
    }

    /**
     * The folder of the blob directory that holds {@code oid}'s blob files, where a client sharing the directory
     * puts the files it stores (ZEO's {@code storeBlobShared} names a file in it). Not created by this call.
     */
    default Path blobFolder(Oid oid) {
        throw noBlobs(this);
    }

    /**
     * Where to create the files handed to {@link StorageTransaction#storeBlob}: on the same file system as the
     * blob directory, so that committing a file moves no bytes.
     */
    default Path blobTemporaryDirectory() {
        throw noBlobs(this);
    }

    /** The error every blob method of a storage without blobs throws. */
    static org.jzeo.api.StorageException noBlobs(Storage storage) {
        return new org.jzeo.api.StorageException("storage '" + storage.name() + "' has no blob directory"
                + " (blob-dir is not configured)");
    }

    /** Sets the one listener told of every commit in tid order (null: none); see {@link CommitListener}. */
    void setCommitListener(CommitListener listener);

    /** Approximate size in bytes. */
    long size();

    /** Number of objects (index entries). */
    long length();

    @Override
    void close();
}
