package org.jzeo.client;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jzeo.api.ConflictException;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.TransactionListener.Completion;
import org.jzeo.protocol.ServerException;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.jzeo.storage.StorageTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XA face of one {@link org.jzeo.api.StorageConnection} (xa-mapping spec): a branch is a unit of work
 * bound to the connection between {@code start} and {@code end}; {@code prepare} sends it with {@code xa_vote},
 * after which it is durable on the server and can be committed or rolled back from any connection, also by a
 * recovering transaction manager through a fresh resource. Communication failures are always
 * {@code XAER_RMFAIL}, never {@code XAER_RMERR}.
 *
 * <p>The connection's {@link org.jzeo.api.TransactionListener} hears {@code beforeCompletion} at {@code end} with
 * TMSUCCESS, while the branch is still associated (so what it writes lands in the branch), then
 * {@code afterCompletion(DELEGATED)}; at {@code end} with TMFAIL {@code afterCompletion(ABORTED)}; nothing at
 * TMSUSPEND. Its {@link org.jzeo.api.ConflictResolver} merges conflicts at prepare and at a one-phase commit.
 */
public final class StorageXAResource implements XAResource {
    private static final Logger LOG = LoggerFactory.getLogger(StorageXAResource.class);

    /** A branch between start and its end (prepare, one-phase commit or rollback). */
    static final class Branch {
        final UnitOfWork work;
        volatile boolean rollbackOnly;

        Branch(UnitOfWork work) {
            this.work = work;
        }
    }

    private final PooledConnection connection;
    private final ClientStorage storage;
    private volatile int timeoutSeconds;

    StorageXAResource(PooledConnection connection) {
        this.connection = connection;
        this.storage = connection.clientStorage();
    }

    /**
     * The XA resource of a connection from {@link ClientConnectionFactory}, for a transaction manager to enlist
     * (in an application server the resource adapter does this). A connection of an
     * {@link EmbeddedConnectionFactory} has no XA resource (IllegalStateException): XA needs a server.
     */
    public static StorageXAResource of(org.jzeo.api.StorageConnection connection) {
        if (!(connection instanceof PooledConnection c)) {
            throw new IllegalArgumentException("not a connection of ClientConnectionFactory: " + connection);
        }
        return new StorageXAResource(c);
    }

    /** Branches not yet prepared, shared by the storage's connections so a join from another one finds them. */
    private Map<WireXid, Branch> branches() {
        return storage.activeBranches();
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        WireXid key = WireXid.of(xid);
        Branch branch;
        if (flags == TMNOFLAGS) {
            if (connection.hasLocalWork()) {
                throw error(XAException.XAER_OUTSIDE, "the connection is in a local transaction: commit or abort"
                        + " it before enlisting in " + key, null);
            }
            branch = new Branch(connection.newWork());
            if (branches().putIfAbsent(key, branch) != null) {
                throw error(XAException.XAER_DUPID, "branch " + key + " already exists", null);
            }
        } else if ((flags & (TMJOIN | TMRESUME)) != 0) {
            branch = branches().get(key);
            if (branch == null) {
                throw error(XAException.XAER_NOTA, "no active branch " + key + " to join or resume", null);
            }
        } else {
            throw error(XAException.XAER_INVAL, "start flags " + flags, null);
        }
        connection.associate(branch.work);
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        Branch branch = branches().get(WireXid.of(xid));
        if (branch == null) {
            throw error(XAException.XAER_NOTA, "no active branch " + WireXid.of(xid), null);
        }
        if ((flags & TMFAIL) != 0) {
            branch.rollbackOnly = true;
            connection.associate(null);
            connection.afterCompletion(Completion.ABORTED, null);
            return;
        }
        if ((flags & TMSUSPEND) != 0) {
            connection.associate(null);
            return;
        }
        try {
            connection.beforeCompletion(); // still associated: what the listener writes lands in the branch
        } catch (RuntimeException e) {
            branch.rollbackOnly = true;
            connection.associate(null);
            connection.afterCompletion(Completion.ABORTED, null);
            throw error(XAException.XA_RBROLLBACK, "branch " + WireXid.of(xid) + " marked rollback-only: the"
                    + " transaction listener failed before completion: " + e.getMessage(), e);
        }
        connection.associate(null);
        connection.afterCompletion(Completion.DELEGATED, null);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        WireXid key = WireXid.of(xid);
        Branch branch = branches().remove(key);
        if (branch == null) {
            throw error(XAException.XAER_NOTA, "no active branch " + key + " to prepare", null);
        }
        try {
            return prepare(key, branch);
        } catch (XAException e) {
            // The branch ended here, unknown to the server: a rollback that may follow needs no server.
            storage.endedLocally().add(key);
            throw e;
        } finally {
            branch.work.dropBlobFiles(); // a prepared transaction holds its own links to them
        }
    }

    private int prepare(WireXid key, Branch branch) throws XAException {
        checkCommittable(key, branch);
        if (branch.work.isEmpty()) {
            return XA_RDONLY;
        }
        if (!storage.supportsXa()) {
            throw error(XAException.XA_RBROLLBACK, "the server of storage '" + storage.name()
                    + "' does not offer durable XA prepare (jzeo extension " + XaWire.EXTENSION + ")", null);
        }
        for (int round = 1; ; round++) {
            ClientTransaction txn = (ClientTransaction) connection.transactionOf(branch.work);
            try {
                txn.prepare(key, timeoutSeconds);
                connection.countResolved(branch.work);
                return XA_OK;
            } catch (ConflictException e) {
                txn.abort();
                if (!connection.resolvesConflicts() || round >= PooledConnection.MAX_RESOLUTION_ROUNDS) {
                    throw mapped(e, XAException.XA_RBROLLBACK, "prepare of " + key);
                }
                resolveBeforeNextRound(key, branch, e);
            } catch (RuntimeException e) {
                txn.abort();
                throw mapped(e, XAException.XA_RBROLLBACK, "prepare of " + key);
            }
        }
    }

    /**
     * xa_vote answers no conflict maps (the server votes a branch in one go), so a conflict failed the vote and the
     * server dropped the branch: merged here, the branch is voted again, from scratch, by the next round. The
     * merge is not under the server's locks, so a busy object may conflict again; rounds are limited as for a
     * local commit.
     */
    private void resolveBeforeNextRound(WireXid key, Branch branch, ConflictException conflict) throws XAException {
        try {
            connection.resolve(branch.work, conflict);
        } catch (RuntimeException e) {
            throw mapped(e, XAException.XA_RBROLLBACK, "prepare of " + key);
        }
    }

    private void checkCommittable(WireXid key, Branch branch) throws XAException {
        if (branch.rollbackOnly) {
            throw error(XAException.XA_RBROLLBACK, "branch " + key + " was marked rollback-only (end TMFAIL)", null);
        }
        long age = System.nanoTime() - branch.work.startedNanos;
        if (timeoutSeconds > 0 && age > TimeUnit.SECONDS.toNanos(timeoutSeconds)) {
            throw error(XAException.XA_RBTIMEOUT, "branch " + key + " outlived its timeout of " + timeoutSeconds
                    + " s before prepare", null);
        }
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        WireXid key = WireXid.of(xid);
        if (onePhase) {
            Branch branch = branches().remove(key);
            if (branch == null) {
                throw error(XAException.XAER_NOTA, "no active branch " + key + " to commit in one phase", null);
            }
            try {
                commitOnePhase(key, branch);
            } finally {
                branch.work.dropBlobFiles();
            }
            return;
        }
        requireXa(key, "commit");
        try {
            storage.commitPrepared(key);
        } catch (RuntimeException e) {
            throw mapped(e, XAException.XAER_RMERR, "commit of " + key);
        }
    }

    private void commitOnePhase(WireXid key, Branch branch) throws XAException {
        checkCommittable(key, branch);
        if (branch.work.isEmpty()) {
            return;
        }
        StorageTransaction txn = connection.transactionOf(branch.work);
        try {
            connection.voteResolving(txn, branch.work);
        } catch (RuntimeException e) {
            txn.abort();
            // A lost connection before finish aborts the transaction on the server.
            throw mapped(e, XAException.XA_RBROLLBACK, "one-phase commit of " + key,
                    XAException.XA_RBCOMMFAIL);
        }
        try {
            txn.finish();
        } catch (RuntimeException e) {
            throw mapped(e, XAException.XAER_RMERR, "one-phase commit of " + key, XAException.XA_HEURHAZ);
        }
        connection.countResolved(branch.work);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        WireXid key = WireXid.of(xid);
        Branch active = branches().remove(key);
        if (active != null) {
            active.work.dropBlobFiles();
            return; // never prepared on the server: nothing there to undo
        }
        if (storage.endedLocally().remove(key)) {
            return;
        }
        requireXa(key, "roll back");
        try {
            storage.rollbackPrepared(key);
        } catch (RuntimeException e) {
            throw mapped(e, XAException.XAER_RMERR, "rollback of " + key);
        }
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        if ((flag & TMSTARTRSCAN) == 0 && flag != TMNOFLAGS) {
            return new Xid[0]; // TMENDRSCAN alone: the list was given with the start of the scan
        }
        if (!storage.supportsXa()) {
            return new Xid[0]; // a server without durable prepare has nothing prepared; asking it would cut us off
        }
        try {
            List<Xid> xids = storage.recoverPrepared();
            return xids.toArray(new Xid[0]);
        } catch (RuntimeException e) {
            throw mapped(e, XAException.XAER_RMERR, "recover");
        }
    }

    @Override
    public void forget(Xid xid) throws XAException {
        requireXa(WireXid.of(xid), "forget");
        try {
            storage.forgetHeuristic(xid);
        } catch (RuntimeException e) {
            throw mapped(e, XAException.XAER_RMERR, "forget of " + WireXid.of(xid));
        }
    }

    /**
     * A server without the XA extension never prepared a branch; a Python ZEO server would close the connection on
     * the unknown method, cutting off every user of the storage. While disconnected the server is asked anyway:
     * the call fails with XAER_RMFAIL and the transaction manager retries.
     */
    private void requireXa(WireXid key, String what) throws XAException {
        if (storage.isConnected() && !storage.supportsXa()) {
            throw error(XAException.XAER_NOTA, "cannot " + what + " " + key + ": the server of storage '"
                    + storage.name() + "' prepares no XA branches", null);
        }
    }

    @Override
    public int getTransactionTimeout() {
        return timeoutSeconds;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        timeoutSeconds = Math.max(0, seconds);
        return true;
    }

    /** The same resource manager: the same client storage (one storage of one server, one cache). */
    @Override
    public boolean isSameRM(XAResource other) {
        return other instanceof StorageXAResource o && o.storage == storage;
    }

    private static XAException mapped(RuntimeException e, int otherwise, String what) {
        return mapped(e, otherwise, what, XAException.XAER_RMFAIL);
    }

    /**
     * The XA code for a failure: the server's own XA code as it sent it; a lost connection as
     * {@code whenDisconnected}; a conflict as a rollback; anything else as {@code otherwise}.
     */
    private static XAException mapped(RuntimeException e, int otherwise, String what, int whenDisconnected) {
        int code;
        if (e instanceof ServerException se && XaWire.ERROR_CLASS.equals(se.className())
                && se.excArgs() instanceof Map<?, ?> args && args.get("errorCode") instanceof Number n) {
            code = n.intValue();
        } else if (e instanceof DisconnectedException) {
            code = whenDisconnected;
        } else if (e instanceof ConflictException) {
            code = XAException.XA_RBROLLBACK;
        } else {
            code = otherwise;
        }
        LOG.debug("{} failed with XA code {}", what, code, e);
        return error(code, what + ": " + e.getMessage(), e);
    }

    private static XAException error(int code, String message, Throwable cause) {
        XAException error = new XAException(message);
        error.errorCode = code;
        if (cause != null) {
            error.initCause(cause);
        }
        return error;
    }
}
