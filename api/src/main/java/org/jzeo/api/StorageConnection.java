package org.jzeo.api;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A view of the storage for one unit of work at a time, used by one thread at a time.
 *
 * <p><b>Snapshots.</b> Within a transaction every read sees the database as of the transaction's start (MVCC):
 * other transactions' commits become visible at the next transaction. Outside a transaction each read sees the
 * latest state the client knows of.
 *
 * <p><b>Writes.</b> {@link #write} records a new state of an object: the application's payload plus the oids it
 * references, stored in jzeo's record format so the server's pack keeps every object reachable from the
 * {@linkplain #rootOid() root}. Writes are checked at commit against what this transaction read: if another
 * transaction changed the object since this one's snapshot, the write fails with a {@link ConflictException}
 * (at once when the client already knows of the change, otherwise at commit). Conflicts and disconnections are
 * {@linkplain StorageException#isRetryable() retryable}: abort and run the unit of work again.
 *
 * <p><b>Transactions.</b> In Java SE the application calls {@link #begin()}, {@link #commit()} and
 * {@link #abort()}. A connection from a resource adapter is enlisted in the container's JTA transaction instead,
 * and these three methods refuse to run while it is.
 */
public interface StorageConnection extends AutoCloseable {

    /** Starts a transaction at the latest snapshot; IllegalStateException if one is active. */
    void begin();

    /**
     * Writes every change of the transaction atomically and durably, then ends it. A transaction without writes
     * just ends.
     *
     * @return the tid of the commit, or the snapshot's last tid when nothing was written
     * @throws ConflictException     another transaction changed an object this one wrote (retryable)
     * @throws DisconnectedException the server was lost; if it happened during the final step the outcome is
     *                               unknown, as the message says (retryable: a repeated commit conflicts if the
     *                               first one went through)
     */
    Tid commit();

    /** Drops the transaction's writes and ends it. Harmless without a transaction. */
    void abort();

    /** True between {@link #begin()} and {@link #commit()}/{@link #abort()}. */
    boolean inTransaction();

    /**
     * The object as of the transaction's snapshot, including this transaction's own writes.
     *
     * @throws POSKeyException       no such object at the snapshot
     * @throws DisconnectedException not in the client cache and the server is not reachable
     */
    StoredObject read(Oid oid);

    /**
     * Starts loading {@code oids} at the current snapshot in the background, all requests in flight at once, so
     * that the reads that follow find them in the client cache instead of waiting for one round trip each. Never
     * waits for the server and never fails: errors surface in the later reads.
     */
    void prefetch(Collection<Oid> oids);

    /** True if {@code oid} exists at the snapshot (or was written by this transaction). */
    boolean exists(Oid oid);

    /**
     * Records a new state of {@code oid} for this transaction: {@code payload} and the oids it references.
     *
     * @throws IllegalStateException no transaction is active
     * @throws ConflictException     the client already knows another transaction changed it after the snapshot
     * @throws ReadOnlyException     the storage or the current server is read-only
     */
    void write(Oid oid, byte[] payload, Collection<Oid> references);

    /** A new oid, never used before, for an object this transaction will write. */
    Oid newOid();

    /** The root object's oid (z64): the object every reachable object hangs from. It may not exist yet. */
    Oid rootOid();

    /** The newest committed transaction this client knows of. */
    Tid lastTransaction();

    /** Up to {@code size} revisions of {@code oid}, newest first (asks the server). */
    List<Revision> history(Oid oid, int size);

    // ------------------------------------------------------------ blobs (ZODB's Blob)

    /**
     * True when this connection can keep blobs: its storage has a blob directory (the client option
     * {@code blob-dir}, {@code blobDirectory} on the resource adapter) and the server keeps blobs (its storage has a
     * {@code blob-dir}).
     */
    boolean supportsBlobs();

    /**
     * Records a new state of blob object {@code oid} for this transaction: {@code payload} and {@code references} as
     * {@link #write} takes them, plus the blob's content, read from {@code content} to its end now (the caller
     * closes it). The content is copied to a temporary file beside the blob directory, never held whole in memory,
     * and sent at commit with the object's state; a later {@link #write} of the same object in this transaction
     * replaces the state and keeps the content.
     *
     * @throws StorageException      blobs are not available: the one-line message says why (no {@code blob-dir}
     *                               configured, naming the option, or a server without blobs); or the content could
     *                               not be read or copied
     * @throws IllegalStateException no transaction is active
     * @throws ConflictException     as for {@link #write}
     * @throws ReadOnlyException     as for {@link #write}
     */
    void writeBlob(Oid oid, byte[] payload, Collection<Oid> references, java.io.InputStream content);

    /**
     * The content of blob object {@code oid} as of the transaction's snapshot (or as this transaction wrote it), as
     * a stream the caller closes. A client downloads a blob it has not cached before the stream opens; the stream
     * reads a file and stays valid when a later transaction changes the blob.
     *
     * @throws POSKeyException       no such object at the snapshot, or it has no blob (it was written with
     *                               {@link #write})
     * @throws StorageException      blobs are not available (see {@link #writeBlob})
     * @throws DisconnectedException not cached and the server is not reachable
     */
    java.io.InputStream openBlob(Oid oid);

    /** The size in bytes of {@code oid}'s blob content at the snapshot; the errors of {@link #openBlob}. */
    long blobSize(Oid oid);

    // ------------------------------------------------------------ transaction metadata, undo

    /**
     * Sets the current transaction's user, description and extension (ZODB's {@code transaction.note()},
     * {@code setUser()}, {@code setExtendedInfo()}), written with its commit and shown by {@link #history} and
     * {@link #undoLog}. The extension's values are strings, numbers, booleans, lists and maps of those.
     *
     * @throws IllegalStateException no transaction is active
     */
    void setTransactionInfo(String user, String description, Map<String, Object> extension);

    /** Committed transactions that can be undone, newest first: entries {@code first} (inclusive) to {@code last}. */
    List<TransactionInfo> undoLog(int first, int last);

    /**
     * Undoes transaction {@code tid} as part of the current transaction: its objects go back to their state before
     * it when this transaction commits.
     *
     * @throws IllegalStateException no transaction is active
     * @throws UndoException         the storage cannot undo it (a later transaction changed the same objects)
     */
    void undo(Tid tid);

    // ------------------------------------------------------------ hooks for the layer above (the object layer)

    /** Hooks a listener (one per connection; null removes it) into this connection's transactions. */
    void setTransactionListener(TransactionListener listener);

    /**
     * Merges conflicting writes at commit instead of failing (null: every conflict fails the commit, the default).
     */
    void setConflictResolver(ConflictResolver resolver);

    /**
     * What the layer above keeps with this connection under {@code key}, created by {@code ifAbsent} the first
     * time: it stays with the connection while the connection is pooled (the object layer's cache lives here).
     */
    <T> T attachment(Object key, java.util.function.Supplier<T> ifAbsent);

    /** Aborts an active transaction and gives the connection back. */
    @Override
    void close();
}
