package org.jzeo.server.xa;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import javax.transaction.xa.XAException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.storage.PreparedBranchStore;
import org.jzeo.server.storage.PreparedBranchStore.BranchCompletedException;
import org.jzeo.server.storage.PreparedBranchStore.BranchOutcome;
import org.jzeo.server.storage.PreparedBranchStore.DuplicateBranchException;
import org.jzeo.storage.Operation;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XA branches of a storage whose database keeps them ({@link PreparedBranchStore}: PostgreSQL prepared
 * transactions). Nothing about a prepared branch lives in this server: it is named in the database by its xid
 * ({@link XidGids}), so a branch prepared through one server is committed, rolled back or recovered through any
 * server sharing the database, also after the preparing server died. Outcomes are remembered in the database too,
 * for {@code xa-outcome-retention} (forgotten at start and at xa_recover; {@code xa-outcome-limit} does not apply).
 *
 * <p>Not supported here: {@code xa-heuristic-timeout} (a branch waits for its transaction manager however long;
 * the start logs that the setting is ignored), hence no heuristic outcomes and nothing to forget.
 */
public final class DatabaseXaBranches implements XaService {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseXaBranches.class);

    private final String storageName;
    private final Storage storage;
    private final PreparedBranchStore store;
    private final XaOptions options;
    private final InstantSource clock;
    /** Branches of this server between admission and PREPARE (or failure): a second prepare meanwhile is refused. */
    private final Map<WireXid, PreparingBranch> preparing = new HashMap<>();
    private volatile Boolean offered;
    /** The periodic apply of commits cut short ({@link CommittedBranchSweep}); null until started. */
    private volatile java.util.concurrent.ScheduledFuture<?> sweep;

    DatabaseXaBranches(String storageName, Storage storage, PreparedBranchStore store, XaOptions options,
                       InstantSource clock) {
        this.storageName = storageName;
        this.storage = storage;
        this.store = store;
        this.options = options;
        this.clock = clock;
    }

    /** Whether the database allows prepared transactions; asked once (a refusal is logged once, with the cure). */
    @Override
    public boolean offered() {
        Boolean known = offered;
        if (known != null) {
            return known;
        }
        if (storage.isReadOnly()) {
            offered = false;
            return false;
        }
        try {
            String reason = store.unavailableReason();
            if (reason != null) {
                LOG.info("storage '{}': XA is not offered: {}", storageName, reason);
            }
            offered = reason == null;
            return offered;
        } catch (StorageException e) {
            // The database is unreachable now: refuse this time, ask again next time.
            LOG.warn("storage '{}': cannot tell whether PostgreSQL allows prepared transactions ({}); XA refused"
                    + " for now", storageName, e.getMessage());
            return false;
        }
    }

    /**
     * Applies the branches whose commit was decided but not applied (their server died in between), forgets old
     * outcomes and from then on applies such branches every few seconds ({@link CommittedBranchSweep}). Prepared
     * branches need nothing: the database holds their locks.
     */
    @Override
    public void start(ScheduledExecutorService timers) {
        options.heuristicTimeout().ifPresent(t -> LOG.info("storage '{}': xa-heuristic-timeout ({}) is not"
                + " supported for branches kept by the database and is ignored: prepared branches wait for their"
                + " transaction manager", storageName, t));
        if (!offered()) {
            return;
        }
        try {
            store.forgetOutcomesBefore(clock.instant().minus(options.outcomeRetention()));
            store.applyCommitted();
        } catch (StorageException e) {
            LOG.warn("storage '{}': could not look for committed XA branches at start ({}); xa_recover and xa_commit"
                    + " will apply them", storageName, e.getMessage());
        }
        if (!storage.isReadOnly()) {
            sweep = timers.scheduleWithFixedDelay(new CommittedBranchSweep(storageName, store),
                    CommittedBranchSweep.PERIOD_SECONDS, CommittedBranchSweep.PERIOD_SECONDS,
                    java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Override
    public PreparingBranch admit(WireXid xid, List<Operation> ops, TransactionMetadata given, String owner) {
        TransactionMetadata meta = BranchRules.admissible(xid, ops, given);
        BranchOutcome earlier;
        try {
            earlier = store.outcome(XidGids.gid(xid));
        } catch (StorageException e) {
            throw XaErrors.error(XAException.XAER_RMFAIL, "branch " + xid + " not prepared: " + e.getMessage());
        }
        if (earlier != null) {
            throw XaErrors.error(XAException.XAER_DUPID, "branch " + xid + " is already completed ("
                    + (earlier.committed() ? "committed as " + earlier.tid() : "rolled back") + ") on this storage");
        }
        PreparingBranch branch = new PreparingBranch(xid, meta, ops, storage.lastTransaction(), owner);
        synchronized (preparing) {
            if (preparing.putIfAbsent(xid, branch) != null) {
                throw XaErrors.error(XAException.XAER_DUPID, "branch " + xid + " is already being prepared on this"
                        + " storage");
            }
        }
        return branch;
    }

    @Override
    public VotedBranch log(PreparingBranch branch, StorageTransaction st, List<Oid> undone, int timeoutSeconds) {
        return new VotedBranch(branch.xid(), null, st, -1, undone);
    }

    @Override
    public void drop(PreparingBranch branch, StorageTransaction st) {
        if (st != null) {
            st.abort();
        }
        forgetPreparing(branch.xid());
    }

    private void forgetPreparing(WireXid xid) {
        synchronized (preparing) {
            preparing.remove(xid);
        }
    }

    /** PREPARE TRANSACTION: durable in the database when it returns, whatever happens to this server then. */
    @Override
    public List<Oid> makeDurable(VotedBranch voted, String caller) {
        PreparingBranch branch;
        synchronized (preparing) {
            branch = preparing.get(voted.xid);
        }
        TreeSet<Oid> checked = new TreeSet<>();
        for (Operation op : branch.operations()) {
            if (op instanceof Operation.CheckCurrent) {
                checked.add(op.oid());
            }
        }
        try {
            store.prepare(voted.transaction, XidGids.gid(voted.xid), branch.metadata(), checked, branch.owner());
        } catch (DuplicateBranchException e) {
            throw XaErrors.error(XAException.XAER_DUPID, "branch " + voted.xid + " is already prepared on this"
                    + " storage");
        } catch (StorageException e) {
            LOG.error("storage '{}': preparing XA branch {} failed", storageName, voted.xid, e);
            throw XaErrors.error(XAException.XAER_RMERR, "branch " + voted.xid + " rolled back: the database could"
                    + " not prepare it: " + e.getMessage());
        } finally {
            forgetPreparing(voted.xid);
        }
        LOG.debug("{}: XA branch {} prepared in the database", caller, voted.xid);
        return voted.undone;
    }

    /**
     * COMMIT PREPARED, then the apply (the tid is chosen there), answered at the commit point like tpc_finish. A
     * commit decided earlier, through this server or another, is answered from its outcome.
     */
    @Override
    public Object commit(WireXid xid, CommitPoint point) {
        String gid = XidGids.gid(xid);
        BranchOutcome earlier;
        try {
            earlier = store.outcome(gid);
        } catch (StorageException e) {
            throw unreachable("committing", xid, e);
        }
        if (earlier != null) {
            return answer(xid, earlier);
        }
        StorageTransaction commit = store.committing(gid);
        BooleanSupplier replied = point.arm(commit, DatabaseXaBranches::answer);
        Tid tid;
        try {
            tid = commit.finish();
        } catch (BranchCompletedException e) {
            if (e.outcome() == null) {
                throw XaErrors.error(XAException.XAER_NOTA, "no branch " + xid + " is prepared on storage '"
                        + storageName + "' and no outcome is remembered for it");
            }
            return answer(xid, e.outcome());
        } catch (StorageException e) {
            LOG.error("storage '{}': committing XA branch {} failed", storageName, xid, e);
            throw unreachable("committing", xid, e);
        } finally {
            point.disarm(commit);
        }
        LOG.debug("{}: XA branch {} committed as {}", point.caller(), xid, tid);
        return replied.getAsBoolean() ? null : answer(tid, commit.writtenOids());
    }

    private static Object answer(WireXid xid, BranchOutcome outcome) {
        if (!outcome.committed()) {
            throw XaErrors.error(XAException.XA_RBROLLBACK, "branch " + xid + " was rolled back");
        }
        return answer(outcome.tid(), outcome.oids());
    }

    private static Object answer(Tid tid, List<Oid> oids) {
        return List.of(tid, new ArrayList<Object>(oids));
    }

    /** XAER_RMFAIL: the transaction manager tries again (through recovery); the branch's state is unchanged. */
    private static RuntimeException unreachable(String what, WireXid xid, StorageException e) {
        return XaErrors.error(XAException.XAER_RMFAIL, what + " branch " + xid + " failed in the database; try"
                + " again: " + e.getMessage());
    }

    @Override
    public void rollback(WireXid xid) {
        BranchOutcome outcome;
        try {
            outcome = store.rollback(XidGids.gid(xid));
        } catch (StorageException e) {
            throw unreachable("rolling back", xid, e);
        }
        if (outcome == null) {
            throw XaErrors.error(XAException.XAER_NOTA, "no branch " + xid + " is prepared on storage '"
                    + storageName + "' and no outcome is remembered for it");
        }
        if (outcome.committed()) {
            throw XaErrors.error(XAException.XA_HEURCOM, "branch " + xid + " was committed as " + outcome.tid());
        }
    }

    /**
     * The branches prepared in the database, through any server. Committed branches whose apply was cut short are
     * applied first (unless this server is read-only): they are no longer prepared, and their objects must not stay
     * locked.
     */
    @Override
    public List<WireXid> recover() {
        List<String> gids;
        try {
            if (!storage.isReadOnly()) {
                store.applyCommitted();
                // Transaction managers scan every few minutes: a good moment to forget outcomes past retention.
                store.forgetOutcomesBefore(clock.instant().minus(options.outcomeRetention()));
            }
            gids = store.prepared(XidGids.PREFIX);
        } catch (StorageException e) {
            throw XaErrors.error(XAException.XAER_RMFAIL, "listing the prepared branches failed in the database: "
                    + e.getMessage());
        }
        List<WireXid> xids = new ArrayList<>();
        for (String gid : gids) {
            WireXid xid = XidGids.xid(gid);
            if (xid != null) {
                xids.add(xid);
            }
        }
        return xids;
    }

    /**
     * Kept in the database with the prepared transaction (whichever server prepared it): there are no heuristic
     * outcomes here, so only a prepared branch has one. Always asked of the database, even when XA is not offered
     * now: an unreachable database must fail the rights check, not answer "no owner".
     */
    @Override
    public String owner(WireXid xid) {
        try {
            return store.owner(XidGids.gid(xid));
        } catch (StorageException e) {
            throw XaErrors.error(XAException.XAER_RMFAIL, "reading the owner of branch " + xid + " failed in the"
                    + " database: " + e.getMessage());
        }
    }

    /** No heuristic outcomes here (no heuristic timeout): nothing to forget. */
    @Override
    public void forget(WireXid xid) {
        throw XaErrors.error(XAException.XAER_NOTA, "no heuristic outcome is remembered for branch " + xid);
    }

    /** Everything is in the database already. */
    @Override
    public void syncLog() {
    }

    /** The database keeps the prepared branches and their locks: nothing of theirs is held here. */
    @Override
    public void close() {
        java.util.concurrent.ScheduledFuture<?> s = sweep;
        if (s != null) {
            s.cancel(false);
        }
    }
}
