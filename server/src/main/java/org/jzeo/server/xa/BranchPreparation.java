package org.jzeo.server.xa;

import java.io.IOException;
import java.util.List;
import javax.transaction.xa.XAException;
import org.jzeo.api.Oid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.CrashPoints;
import org.jzeo.storage.Operation;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * xa_vote's share of the branches: admits a branch (its operations and xid checked), logs it once the caller has
 * voted it, and publishes it as prepared once its record is forced. Between admission and publication the xid
 * is {@link BranchTable#preparing}, so a second prepare of it is refused; a failure anywhere drops it.
 */
final class BranchPreparation {
    private static final Logger LOG = LoggerFactory.getLogger(BranchPreparation.class);

    private final BranchTable table;
    private final HeuristicTimer timer;

    BranchPreparation(BranchTable table, HeuristicTimer timer) {
        this.table = table;
        this.timer = timer;
    }

    PreparingBranch admit(WireXid xid, List<Operation> ops, TransactionMetadata given, String owner) {
        TransactionMetadata meta = BranchRules.admissible(xid, ops, given);
        table.lock.lock();
        try {
            boolean prepared = table.prepared.containsKey(xid);
            boolean preparing = table.preparing.contains(xid);
            if (prepared || preparing || table.outcomes.contains(xid)) {
                throw XaErrors.error(XAException.XAER_DUPID, "branch " + xid + " is already "
                        + (prepared ? "prepared" : preparing ? "being prepared"
                        : "completed (" + table.outcomes.get(xid).describe() + ")") + " on this storage");
            }
            table.preparing.add(xid);
        } finally {
            table.lock.unlock();
        }
        return new PreparingBranch(xid, meta, ops, table.storage.lastTransaction(), owner);
    }

    /**
     * Appends the prepared record of {@code branch}, voted as {@code st}; {@link #makeDurable} then forces it.
     * Written under the lock, forced outside it (one fsync for every branch preparing meanwhile), and published
     * (recover lists it) only once forced. No compaction while a record is unpublished.
     */
    VotedBranch log(PreparingBranch branch, StorageTransaction st, List<Oid> undone, int timeoutSeconds) {
        XaLogRecord.Prepared record = new XaLogRecord.Prepared(branch.xid(), table.clock.millis(),
                branch.lastTidAtPrepare(), Math.max(0, timeoutSeconds), branch.metadata(), branch.operations(),
                branch.owner());
        table.lock.lock();
        try {
            long offset = table.log.appendForSync(record);
            table.unpublished++;
            return new VotedBranch(branch.xid(), record, st, offset, undone);
        } catch (IOException e) {
            throw logFailure(branch.xid(), e);
        } finally {
            table.lock.unlock();
        }
    }

    /** Forces {@code voted}'s record and publishes the branch as prepared; returns the oids the vote undid. */
    List<Oid> makeDurable(VotedBranch voted, String caller) {
        try {
            table.log.syncTo(voted.logOffset);
        } catch (IOException e) {
            table.lock.lock();
            try {
                table.unpublished--;
            } finally {
                table.lock.unlock();
            }
            drop(voted.xid, voted.transaction);
            throw logFailure(voted.xid, e);
        }
        CrashPoints.reach(CrashPoints.XA_PREPARE_FORCED);
        table.lock.lock();
        try {
            table.unpublished--;
            PreparedBranch branch = new PreparedBranch(voted.record, voted.transaction);
            table.prepared.put(voted.xid, branch);
            table.preparing.remove(voted.xid);
            timer.arm(branch);
        } finally {
            table.lock.unlock();
        }
        LOG.debug("{}: XA branch {} prepared", caller, voted.xid);
        return voted.undone;
    }

    /** The branch failed before it was published: its storage transaction (if any) is aborted, its xid free. */
    void drop(WireXid xid, StorageTransaction st) {
        if (st != null) {
            st.abort();
        }
        table.lock.lock();
        try {
            table.preparing.remove(xid);
        } finally {
            table.lock.unlock();
        }
    }

    /** A prepared record that could not be made durable: the branch is rolled back. */
    private RuntimeException logFailure(WireXid xid, IOException e) {
        LOG.error("storage '{}': writing XA branch {} to the prepared log failed", table.storageName, xid, e);
        return XaErrors.error(XAException.XAER_RMERR, "branch " + xid + " rolled back: the server could not write"
                + " its prepared log: " + e.getMessage());
    }
}
