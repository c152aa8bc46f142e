package org.jzeo.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jzeo.api.ConflictException;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.client.blob.ClientBlobs;
import org.jzeo.api.Tid;
import org.jzeo.client.net.ServerConnection;
import org.jzeo.protocol.Requests;
import org.jzeo.protocol.Requests.Request;
import org.jzeo.protocol.Requests.TransactionCall;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.Operation;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transaction of a {@link ClientStorage}. Operations are kept here until {@link #vote()}, which takes the
 * client's commit turn and sends {@code tpc_begin}, the buffered operations and {@code vote} in one write; so
 * application threads can build transactions side by side and the server holds nothing for slow builders.
 *
 * <p>{@link #voteAllowingConflicts()} accepts the conflict maps a server in client-conflict-resolution mode
 * answers (zeo-protocol §8.2): the transaction then stays open on the server, which keeps its locks, and this
 * client keeps its commit turn; the caller stores the resolved data and votes again, and only the operations
 * added since the last vote are sent.
 */
final class ClientTransaction implements StorageTransaction {
    private static final Logger LOG = LoggerFactory.getLogger(ClientTransaction.class);

    /** CONFLICTED: a vote answered conflicts; the server keeps the transaction open and this client its turn. */
    private enum State { OPEN, CONFLICTED, VOTED, PREPARED, FINISHED, ABORTED }

    private final ClientStorage storage;
    private final TransactionMetadata metadata;
    private final long txn;
    private final List<Operation> operations = new ArrayList<>();
    /** Revisions this transaction writes, for the cache after finish; null data: nothing to cache. */
    private final Map<Oid, byte[]> written = new LinkedHashMap<>();
    /** Oids the cache must drop instead of caching: restored copies, and what the server changed (undo). */
    private final Set<Oid> notCached = new HashSet<>();
    private State state = State.OPEN;
    private ServerConnection connection;
    /** This transaction's own files of the blobs it stores, by oid (see {@link ClientBlobs#stage}). */
    private final Map<Oid, Path> staged = new LinkedHashMap<>();
    /** Staged files of blob stores a later store of the same oid replaced: dropped when the transaction ends. */
    private final List<Path> superseded = new ArrayList<>();
    /** How many of {@link #operations} went to the server with an earlier vote. */
    private int sent;

    ClientTransaction(ClientStorage storage, TransactionMetadata metadata, long txn) {
        this.storage = storage;
        this.metadata = metadata;
        this.txn = txn;
    }

    @Override
    public TransactionMetadata metadata() {
        return metadata;
    }

    @Override
    public void store(Oid oid, Tid serial, byte[] data) {
        buffer(new Operation.Store(oid, serial, data));
        written.put(oid, data);
        notCached.remove(oid);
    }

    /**
     * Stages the blob at once: a hard link to the caller's file (a copy across file systems), so the caller may
     * remove its file whenever the contract allows while this transaction keeps its own name for the content. The
     * staged file is sent at vote and becomes the cache's file of the new revision at finish. Being a link, the
     * cached revision shares the caller's inode: a caller replaces its file, never rewrites it in place (as the
     * storage contract asks of every storage's blob files).
     */
    @Override
    public void storeBlob(Oid oid, Tid serial, byte[] data, Path blobFile) {
        ClientBlobs blobs = storage.requireBlobs("store the blob of " + oid);
        if (state != State.OPEN && state != State.CONFLICTED) {
            throw new StorageTransactionException("transaction is " + state.name().toLowerCase()
                    + ": no more operations");
        }
        Path file = blobs.stage(oid, blobFile);
        // An earlier store of the same oid keeps its file until the end: its operation may not be sent yet.
        Path earlier = staged.put(oid, file);
        if (earlier != null) {
            superseded.add(earlier);
        }
        buffer(new Operation.StoreBlob(oid, serial, data, file));
        written.put(oid, data);
        notCached.remove(oid);
    }

    /** ZEO's protocol carries no restore of a blob (its client has none either): copy blobs on the server. */
    @Override
    public void restoreBlob(Oid oid, Tid serial, byte[] data, Tid prevTxn, Path blobFile) {
        throw new StorageException("cannot restore the blob of " + oid + " through a client: the ZEO protocol has"
                + " no restore of blobs (copy the storage on the server instead)");
    }

    @Override
    public void checkCurrentSerial(Oid oid, Tid serial) {
        buffer(new Operation.CheckCurrent(oid, serial));
    }

    @Override
    public void delete(Oid oid, Tid serial) {
        buffer(new Operation.Delete(oid, serial));
        written.put(oid, null);
    }

    @Override
    public void restore(Oid oid, Tid serial, byte[] data, Tid prevTxn) {
        buffer(new Operation.Restore(oid, serial, data, prevTxn));
        written.put(oid, null);
        notCached.add(oid);
    }

    @Override
    public void undo(byte[] transactionId) {
        buffer(new Operation.Undo(transactionId));
    }

    private void buffer(Operation operation) {
        if (state != State.OPEN && state != State.CONFLICTED) {
            throw new StorageTransactionException("transaction is " + state.name().toLowerCase()
                    + ": no more operations");
        }
        operations.add(operation);
    }

    @Override
    public List<Oid> vote() {
        Vote vote = send(() -> connection.call(new TransactionCall(TransactionCall.VOTE, txn)), false, false);
        state = State.VOTED;
        return vote.changed();
    }

    @Override
    public Vote voteAllowingConflicts() {
        Vote vote = send(() -> connection.call(new TransactionCall(TransactionCall.VOTE, txn)), false, true);
        state = vote.conflicts().isEmpty() ? State.VOTED : State.CONFLICTED;
        return vote;
    }

    /**
     * Prepares this transaction as XA branch {@code xid} ({@code xa_vote}): once this returns, the server has the
     * branch on disk and detached from the connection; the branch is finished by
     * {@link ClientStorage#commitPrepared} or {@link ClientStorage#rollbackPrepared}, from any connection.
     *
     * <p>The client's commit turn is given back as soon as xa_vote is sent: the server votes and detaches the
     * branch before it reads the connection's next transaction, so other threads' transactions go out while
     * this one's prepared record is being forced, and their records share its fsync.
     */
    List<Oid> prepare(WireXid xid, int timeoutSeconds) {
        List<Oid> changed = send(() -> connection.call(new Requests.XaVote(txn, xid, timeoutSeconds)), true, false)
                .changed();
        state = State.PREPARED;
        storage.prepared(xid, this, written, notCached);
        return changed;
    }

    /**
     * tpc_begin and the buffered calls in one write, then the vote call; after a vote that answered conflicts, the
     * calls added since, then the vote call. The turn is given back once the vote is sent if
     * {@code turnEndsWhenSent}, and on failure in any case; it is kept when conflicts are answered and
     * {@code allowConflicts} (the transaction stays open on the server), otherwise the first one is thrown.
     */
    private Vote send(java.util.function.Supplier<java.util.concurrent.CompletableFuture<Object>> voteCall,
                      boolean turnEndsWhenSent, boolean allowConflicts) {
        if (state != State.OPEN && state != State.CONFLICTED) {
            throw new StorageTransactionException("vote on a transaction that is " + state.name().toLowerCase());
        }
        boolean firstRound = state == State.OPEN;
        if (firstRound) {
            storage.commitGate().enter();
        }
        boolean voted = false;
        boolean keptOpen = false;
        boolean turnGiven = false;
        try {
            ServerConnection.Batch batch;
            if (firstRound) {
                connection = storage.requireWritable("commit").connection();
                batch = connection.batch().add(new Requests.TpcBegin(txn, metadata.user(), metadata.description(),
                        metadata.extension(), metadata.explicitTid(), String.valueOf(metadata.status())));
            } else {
                batch = connection.batch();
            }
            for (Operation op : operations.subList(sent, operations.size())) {
                if (op instanceof Operation.StoreBlob blob) {
                    batch = sendBlob(batch, blob);
                } else {
                    batch.add(request(op));
                }
            }
            sent = operations.size();
            batch.send();
            java.util.concurrent.CompletableFuture<Object> reply = voteCall.get();
            if (turnEndsWhenSent) {
                storage.commitGate().leave();
                turnGiven = true;
            }
            List<?> result = (List<?>) Calls.await(reply);
            List<Oid> changedByServer = new ArrayList<>();
            List<ConflictException> conflicts = new ArrayList<>();
            for (Object item : result) {
                if (item instanceof Map<?, ?> conflict) {
                    conflicts.add(conflictOf(conflict));
                } else {
                    changedByServer.add(WireValues.oid(item));
                }
            }
            if (!conflicts.isEmpty()) {
                conflicts.forEach(c -> storage.conflicted(c.oid()));
                if (!allowConflicts || turnGiven) {
                    throw conflicts.get(0);
                }
                keptOpen = true;
                return new Vote(List.of(), conflicts);
            }
            notCached.addAll(changedByServer);
            for (Oid oid : changedByServer) {
                written.putIfAbsent(oid, null);
            }
            voted = true;
            return new Vote(changedByServer, List.of());
        } catch (ConflictException e) {
            storage.conflicted(e.oid());
            throw e;
        } finally {
            if (!voted && !keptOpen) {
                // After the turn was given back the server has already dropped a failed vote's transaction, and
                // ignores a tpc_abort naming a transaction other than its current one.
                abortOnServer();
                state = State.ABORTED;
                discardBlobs();
                if (!turnGiven) {
                    storage.commitGate().leave();
                }
            }
        }
    }

    /**
     * A blob store as ZEO's client sends it: {@code storea}, then either the content ({@code storeBlobStart},
     * {@code storeBlobChunk}s read from the file as they go, paced by the connection, {@code storeBlobEnd}) or, in
     * shared-blob-dir mode, {@code storeBlobShared} naming the file staged in the oid's folder. Returns the batch
     * the following calls join.
     */
    private ServerConnection.Batch sendBlob(ServerConnection.Batch batch, Operation.StoreBlob blob) {
        batch.add(new Requests.Store(blob.oid(), blob.serial(), blob.data(), txn));
        if (!storage.requireBlobs("store the blob of " + blob.oid()).sendsContent()) {
            return batch.add(new Requests.StoreBlobShared(blob.oid(), blob.serial(), blob.data(),
                    blob.file().getFileName().toString(), txn));
        }
        batch.add(new Requests.StoreBlobStart()).send();
        try (FileChannel file = FileChannel.open(blob.file(), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(Requests.BlobCallbacks.CHUNK_SIZE);
            while (true) {
                buffer.clear();
                while (buffer.hasRemaining() && file.read(buffer) > 0) {
                    // fill a whole chunk unless the file ends
                }
                if (buffer.position() == 0) {
                    break;
                }
                byte[] chunk = new byte[buffer.position()];
                buffer.flip().get(chunk);
                connection.sendPaced(new Requests.StoreBlobChunk(chunk));
            }
        } catch (IOException e) {
            throw new StorageException("cannot read the blob of " + blob.oid() + " from " + blob.file() + ": "
                    + e.getMessage(), e);
        }
        return connection.batch().add(new Requests.StoreBlobEnd(blob.oid(), blob.serial(), blob.data(), txn));
    }

    /** The call that sends {@code op} as part of this transaction. */
    private Request request(Operation op) {
        if (op instanceof Operation.Store s) {
            return new Requests.Store(s.oid(), s.serial(), s.data(), txn);
        } else if (op instanceof Operation.CheckCurrent c) {
            return new Requests.CheckCurrentSerial(c.oid(), c.serial(), txn);
        } else if (op instanceof Operation.Delete d) {
            return new Requests.DeleteObject(d.oid(), d.serial(), txn);
        } else if (op instanceof Operation.Restore r) {
            return new Requests.Restore(r.oid(), r.serial(), r.data(), r.prevTxn(), txn);
        }
        return new Requests.Undo(((Operation.Undo) op).transactionId(), txn);
    }

    /** A conflict map of a server in client-conflict-resolution mode: {@code {oid, serials: [committed, read]}}. */
    private static ConflictException conflictOf(Map<?, ?> conflict) {
        Oid oid = WireValues.oid(conflict.get("oid"));
        List<?> serials = (List<?>) conflict.get("serials");
        return new ConflictException(oid, WireValues.tid(serials.get(0)), WireValues.tid(serials.get(1)));
    }

    @Override
    public Tid finish() {
        if (state != State.VOTED) {
            throw new StorageTransactionException("finish without a successful vote (transaction is "
                    + state.name().toLowerCase() + ")");
        }
        try {
            Object tid = Calls.await(connection.call(connection.nextMessageId(),
                    new TransactionCall(TransactionCall.FINISH, txn),
                    reply -> {
                        Tid committed = WireValues.tid(reply);
                        storage.committed(this, committed, written, notCached);
                        return committed;
                    }));
            state = State.FINISHED;
            blobsCommitted((Tid) tid);
            return (Tid) tid;
        } catch (DisconnectedException e) {
            state = State.ABORTED;
            throw new DisconnectedException("connection lost during tpc_finish: the transaction may or may not"
                    + " have been committed (" + e.getMessage() + ")", e);
        } finally {
            if (state != State.FINISHED) {
                state = State.ABORTED;
                discardBlobs();
            }
            storage.commitGate().leave();
        }
    }

    @Override
    public void abort() {
        if (state == State.VOTED || state == State.CONFLICTED) {
            try {
                abortOnServer();
            } finally {
                storage.commitGate().leave();
            }
        }
        if (state != State.FINISHED && state != State.PREPARED) {
            state = State.ABORTED;
            discardBlobs();
        }
    }

    private void abortOnServer() {
        if (connection == null || !connection.isOpen()) {
            return; // the server aborts the transactions of a lost connection itself
        }
        try {
            Calls.await(connection.call(new TransactionCall(TransactionCall.ABORT, txn)));
        } catch (RuntimeException e) {
            LOG.debug("tpc_abort failed; the server drops the transaction with the connection", e);
        }
    }

    /** Nothing to interrupt on this side: a vote waiting on the server ends when the connection does. */
    @Override
    public void cancel() {
    }

    /**
     * After this transaction (or its XA branch) committed as {@code tid}, on the committing thread (never the I/O
     * thread: it waits for blob folder locks a download may hold): the staged blobs become the new revisions'
     * cached files, so reading them back downloads nothing.
     */
    void blobsCommitted(Tid tid) {
        if (staged.isEmpty()) {
            return;
        }
        ClientBlobs blobs = storage.blobStore();
        staged.forEach((oid, file) -> blobs.committed(oid, tid, file));
        staged.clear();
        superseded.forEach(blobs::discard);
        superseded.clear();
    }

    /** The transaction ended without a commit: its staged blob files go. */
    void discardBlobs() {
        if (staged.isEmpty()) {
            return;
        }
        ClientBlobs blobs = storage.blobStore();
        staged.values().forEach(blobs::discard);
        staged.clear();
        superseded.forEach(blobs::discard);
        superseded.clear();
    }

    @Override
    public List<Oid> writtenOids() {
        return List.copyOf(new LinkedHashSet<>(written.keySet()));
    }
}
