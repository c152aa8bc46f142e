package org.jzeo.server.core;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.AccessDeniedException;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.protocol.MessageId;
import org.jzeo.protocol.WireErrors;
import org.jzeo.protocol.WireMessage;
import org.jzeo.auth.ScramServerExchange;
import org.jzeo.server.auth.Authenticator;
import org.jzeo.server.auth.Principal;
import org.jzeo.server.auth.Right;
import org.jzeo.server.storage.pickle.PickleMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after the handshake: which storage it registered with, its buffered transaction and
 * its iterators, and the dispatch of its calls (zeo-protocol §3–§5).
 *
 * <p>Rules kept here: until {@code register} succeeds only {@code register} and the sign-on calls are accepted
 * (anything else closes the connection); on a server with authentication, only the sign-on calls until signed on; keep-alives are ignored; a sync call that fails gets an error reply and the connection stays
 * open; an async call that fails closes the connection, since the client cannot be told otherwise. State is
 * touched by the serial executor only, except registration, which happens before any serial work.
 */
public final class ZeoSession {
    private static final Logger LOG = LoggerFactory.getLogger(ZeoSession.class);

    private final StorageServer server;
    private final Peer peer;
    private final SerialExecutor serial;
    private final SerialExecutor branchCalls;
    private volatile ServedStorage storage;
    private volatile boolean readOnly;
    private volatile boolean closed;
    private String label;

    /** Who this connection acts for; null until it has signed on (only on a server with authentication). */
    private volatile Principal principal;
    /** The principal's right on the registered storage. */
    private volatile Right right = Right.ADMIN;
    /** On the event loop only: the sign-on under way, and whether a failed one is waiting to close the connection. */
    private ScramServerExchange signOnExchange;
    private boolean refusing;
    private ScheduledFuture<?> signOnTimer;

    // Touched only on the serial executor.
    private ServerTransaction transaction;
    private boolean voted;
    private BlobUpload blobUpload;
    private ScheduledFuture<?> transactionTimer;
    private final SessionIterators iterators = new SessionIterators();

    ZeoSession(StorageServer server, Peer peer, X509Certificate clientCertificate) {
        this.server = server;
        this.peer = peer;
        this.serial = new SerialExecutor(server.commitPool());
        this.branchCalls = new SerialExecutor(server.commitPool());
        Authenticator auth = server.authenticator();
        if (auth == null) {
            principal = Principal.ANYONE;
            return;
        }
        Principal mapped = clientCertificate == null ? null : auth.certificateUser(clientCertificate).orElse(null);
        if (mapped != null) {
            signedOn(mapped);
            return;
        }
        long millis = auth.timeout().toMillis();
        signOnTimer = server.scheduler().schedule(() -> {
            if (principal == null && !closed) {
                LOG.warn("{}: did not sign on within {} s; closing", peer.describe(), millis / 1000.0);
                peer.close("no sign-on within authentication-timeout");
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    /** Handles one decoded message; called on the connection's event loop, in arrival order. */
    public void handle(WireMessage message) {
        if (message.isKeepAlive() || closed || refusing) {
            return;
        }
        if (!message.isCall()) {
            LOG.warn("{}: unexpected message {} from the client; closing", peer.describe(), message.name());
            peer.close("protocol error");
            return;
        }
        MethodTable.Method method = server.methods().get(message.name());
        boolean beforeRegister = method != null && method.phase() != MethodTable.Phase.REGISTERED;
        // Python: before register only register is allowed; after it, register no longer is (errors-M5 conn2).
        // jzeo adds the sign-on calls to what comes before register.
        if (method == null || (storage == null) != beforeRegister) {
            LOG.warn("{}: invalid method {}{}; closing", peer.describe(), message.name(),
                    storage == null ? " before register" : beforeRegister ? " (already registered)" : "");
            peer.close("invalid method " + message.name());
            return;
        }
        if (principal == null && method.phase() != MethodTable.Phase.SIGN_ON) {
            refuseUnsigned(message);
            return;
        }
        Runnable call = () -> invoke(method, message);
        switch (method.mode()) {
            case INLINE:
                call.run();
                break;
            case LOAD:
                if (method.memoryHint().fromMemory(storage.storage(), message.args())) {
                    storage.readInOrder(call);
                } else if (storage.readPlacement().inline()) {
                    timedRead(call);
                } else {
                    server.readPool().execute(() -> timedRead(call));
                }
                break;
            case READ:
                server.readPool().execute(() -> storage.readInOrder(call));
                break;
            case BRANCH:
                branchCalls.execute(call);
                break;
            case BUFFER:
                serial.executeHereIfIdle(call);
                break;
            default:
                serial.execute(call);
                break;
        }
    }

    /** A call before signing on on a server that requires it: told so (if it can be), then closed. */
    private void refuseUnsigned(WireMessage message) {
        LOG.warn("{}: {} before signing on; closing (this server requires authentication)", peer.describe(),
                message.name());
        refusing = true;
        if (!message.isAsync()) {
            peer.error(message.msgid(), new org.jzeo.protocol.WireError(WireErrors.AUTH_ERROR,
                    List.of("authentication required: this server accepts clients signed on with "
                            + "SCRAM-SHA-256 (username and password) or with a client certificate it knows")));
        }
        peer.close("not signed on");
    }

    /** A read that may go to the file: its time tells {@link ReadPlacement} whether the disk is slow. */
    private void timedRead(Runnable call) {
        long start = System.nanoTime();
        storage.readInOrder(call);
        storage.readPlacement().took(System.nanoTime() - start);
    }

    private void invoke(MethodTable.Method method, WireMessage message) {
        MessageId msgid = message.msgid();
        boolean async = message.isAsync();
        if (method.mode() == MethodTable.Mode.SERIAL || method.mode() == MethodTable.Mode.BUFFER) {
            serialMsgid = async ? null : msgid;
        } else if (method.mode() == MethodTable.Mode.BRANCH) {
            branchMsgid = async ? null : msgid;
        }
        Object result;
        CALL.set(msgid);
        try {
            result = method.handler().call(this, message.args());
        } catch (Exception | AssertionError e) {
            failed(method.name(), msgid, async, e);
            return;
        } finally {
            CALL.remove();
        }
        if (!async && result != REPLIED) {
            peer.reply(msgid, result);
        }
    }

    /** The msgid of the call the current thread's handler runs (null for an async call). */
    private static final ThreadLocal<MessageId> CALL = new ThreadLocal<>();

    /** For a handler that answers later ({@link #REPLIED}), from any executor: the msgid of its call. */
    MessageId currentCall() {
        return CALL.get();
    }

    /** Returned by a handler that has queued its reply itself (tpc_finish, at its commit point). */
    static final Object REPLIED = new Object();

    /**
     * Ends a serial call off the serial executor: {@code rest} runs on the commit pool and its result or error
     * answers the call. For a last step that is only a wait (xa_vote's fsync) which this connection's next calls
     * need not wait for. Returns {@link #REPLIED} for the handler to return.
     */
    Object answerLater(String method, java.util.concurrent.Callable<Object> rest) {
        MessageId msgid = serialMsgid;
        server.commitPool().execute(() -> {
            Object result;
            try {
                result = rest.call();
            } catch (Exception | AssertionError e) {
                failed(method, msgid, msgid == null, e);
                return;
            }
            if (msgid != null) {
                peer.reply(msgid, result);
            }
        });
        return REPLIED;
    }

    /** The msgid of the sync serial call being run (null for an async one); only on the serial executor. */
    private MessageId serialMsgid;

    MessageId serialMsgid() {
        return serialMsgid;
    }

    /** The msgid of the sync branch call being run (null for an async one); only on the branch executor. */
    private MessageId branchMsgid;

    MessageId branchMsgid() {
        return branchMsgid;
    }

    private void failed(String method, MessageId msgid, boolean async, Throwable e) {
        if (async) {
            LOG.warn("{}: async call {} failed, closing the connection: {}", peer.describe(), method, e.toString());
            peer.close(method + " failed");
            return;
        }
        if (e instanceof ConflictException conflict) {
            LOG.info("{}: {}: {}", peer.describe(), method, e.getMessage());
            if (storage != null) {
                storage.stats().conflicts.increment();
            }
            peer.error(msgid, WireErrors.toWire(e, conflictClassName(conflict)));
            return;
        }
        if (org.jzeo.server.xa.XaErrors.isXaError(e)) {
            LOG.info("{}: {}: {}", peer.describe(), method, e.getMessage());
        } else if (e instanceof org.jzeo.api.AuthenticationException || e instanceof org.jzeo.api.ReadOnlyException) {
            // A refusal of what the client's rights do not allow: worth a line, not a stack trace.
            LOG.warn("{}: {} refused: {}", peer.describe(), method, e.getMessage());
        } else if (WireErrors.isRoutine(e)) {
            LOG.debug("{}: {}: {}", peer.describe(), method, e.getMessage());
        } else if (e instanceof RuntimeException || e instanceof Error) {
            LOG.error("{}: {} failed", peer.describe(), method, e);
        } else {
            LOG.warn("{}: {} failed: {}", peer.describe(), method, e.toString());
        }
        peer.error(msgid, WireErrors.toWire(e));
    }

    /** The class of the conflicting object, from the data this client tried to store (ConflictError.class_name). */
    private String conflictClassName(ConflictException conflict) {
        Oid oid = conflict.oid();
        if (oid == null || conflict instanceof org.jzeo.api.ReadConflictException) {
            return null;
        }
        byte[] data = lastStoredData(oid);
        return data == null ? null : PickleMetadata.className(data);
    }

    private byte[] lastStoredData(Oid oid) {
        ServerTransaction txn = lastFailedTransaction != null ? lastFailedTransaction : transaction;
        return txn == null ? null : txn.storedData(oid);
    }

    /** The transaction whose vote just failed, kept until its error reply is built (its buffer is dropped). */
    private ServerTransaction lastFailedTransaction;

    // ----- state for the method groups ----------------------------------------------------------------------

    StorageServer server() {
        return server;
    }

    Peer peer() {
        return peer;
    }

    ServedStorage storage() {
        return storage;
    }

    boolean isReadOnly() {
        return readOnly;
    }

    void registered(ServedStorage served, boolean readOnlyConnection, Right grantedRight) {
        this.storage = served;
        this.readOnly = readOnlyConnection;
        this.right = grantedRight;
        served.add(this);
        LOG.info("{}: registered with storage '{}'{}{}", peer.describe(), served.name(),
                readOnlyConnection ? " (read-only)" : "",
                principal.isAnyone() ? "" : " as " + principal.describe() + ", " + grantedRight.configName());
    }

    // ----- who the connection acts for ------------------------------------------------------------------------

    Principal principal() {
        return principal;
    }

    boolean isSignedOn() {
        return principal != null;
    }

    /** The principal's right on storage {@code name} (any right on a server without authentication). */
    Right rightOn(String name) {
        Authenticator auth = server.authenticator();
        return auth == null ? Right.ADMIN : auth.rightOf(principal, name);
    }

    /** The principal's right on the registered storage. */
    Right right() {
        return right;
    }

    /** AccessDeniedException unless the principal administers the registered storage; {@code what} for the message. */
    void requireAdmin(String what) {
        if (right != Right.ADMIN) {
            throw new AccessDeniedException(principal.describe() + " may not " + what + " storage '" + storage.name()
                    + "' (needs admin, has " + right.configName() + ")");
        }
    }

    /** The user to record as a new XA branch's owner: null on a server without authentication. */
    String branchOwner() {
        return principal.isAnyone() ? null : principal.user();
    }

    void signedOn(Principal who) {
        principal = who;
        if (signOnTimer != null) {
            signOnTimer.cancel(false);
        }
        LOG.info("{}: signed on as {}", peer.describe(), who.describe());
    }

    ScramServerExchange signOnExchange() {
        return signOnExchange;
    }

    void setSignOnExchange(ScramServerExchange exchange) {
        signOnExchange = exchange;
    }

    /** A failed sign-on is being answered: nothing else this client sends is looked at. */
    void refuseFurtherCalls() {
        refusing = true;
    }

    void setLabel(String label) {
        this.label = label;
        LOG.info("{}: client label '{}'", peer.describe(), label);
    }

    ServerTransaction transaction() {
        return transaction;
    }

    void setTransaction(ServerTransaction txn) {
        if (transaction != null && transaction != txn) {
            transaction.discardBlobFiles();
        }
        this.transaction = txn;
        this.voted = false;
        this.lastFailedTransaction = null;
    }

    boolean isVoted() {
        return voted;
    }

    void setVoted(boolean value) {
        this.voted = value;
    }

    void rememberFailedVote(ServerTransaction txn) {
        this.lastFailedTransaction = txn;
    }

    /** The blob being received (storeBlobStart to storeBlobEnd), or null. */
    BlobUpload blobUpload() {
        return blobUpload;
    }

    /** Starts receiving a blob, discarding one left unfinished (ZEO asserts there is none). */
    void startBlobUpload(BlobUpload upload) {
        if (blobUpload != null) {
            LOG.warn("{}: storeBlobStart while a blob was still being received; the unfinished one is dropped",
                    peer.describe());
            blobUpload.discard();
        }
        blobUpload = upload;
    }

    /** The blob being received, which the caller now owns; null if none was started. */
    BlobUpload takeBlobUpload() {
        BlobUpload upload = blobUpload;
        blobUpload = null;
        return upload;
    }

    SessionIterators iterators() {
        return iterators;
    }

    void setTransactionTimer(ScheduledFuture<?> timer) {
        cancelTransactionTimer();
        this.transactionTimer = timer;
    }

    void cancelTransactionTimer() {
        if (transactionTimer != null) {
            transactionTimer.cancel(false);
            transactionTimer = null;
        }
    }

    /** Queues an encoded invalidation (called under the storage's order lock). */
    void invalidate(byte[] encodedCallback) {
        if (!closed) {
            peer.sendEncoded(encodedCallback);
        }
    }

    void callback(String name, List<Object> args) {
        if (!closed) {
            peer.callback(name, args);
        }
    }

    void closeConnection(String reason) {
        peer.close(reason);
    }

    /**
     * The connection is gone: leave the storage, give up any lock wait at once, then abort the transaction and
     * drop the iterators in order after whatever this connection was doing.
     */
    public void disconnected() {
        if (closed) {
            return;
        }
        closed = true;
        if (signOnTimer != null) {
            signOnTimer.cancel(false);
        }
        ServedStorage served = storage;
        if (served != null) {
            served.remove(this);
        }
        serial.execute(() -> {
            ServerTransaction txn = transaction;
            if (txn != null) {
                LOG.info("{}: disconnected with an unfinished transaction; aborting it", peer.describe());
                CommitMethods.abortTransaction(this);
            }
            if (blobUpload != null) {
                blobUpload.discard();
                blobUpload = null;
            }
            iterators.clear();
            server.sessionEnded();
        });
        // Outside the serial order on purpose: a vote stuck waiting for object locks must give up now.
        ServerTransaction pending = transactionSnapshot;
        if (pending != null && pending.storageTransaction() != null) {
            pending.storageTransaction().cancel();
        }
        LOG.info("{}: disconnected{}", peer.describe(), label == null ? "" : " (" + label + ")");
    }

    /** The transaction being voted, visible to the event loop for {@link #disconnected()}'s cancel. */
    volatile ServerTransaction transactionSnapshot;

    boolean isClosed() {
        return closed;
    }

    String describe() {
        return peer.describe();
    }
}
