package org.jzeo.server.xa;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.transaction.xa.XAException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.CrashPoints;
import org.jzeo.storage.StorageTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second phase and what follows it: xa_commit and xa_rollback of prepared branches (answered from the
 * remembered outcome when repeated), xa_recover's list and xa_forget of heuristic outcomes. A branch being
 * committed is busy: a rollback or a second commit of it waits for the first to end.
 */
final class BranchCompletion {
    private static final Logger LOG = LoggerFactory.getLogger(BranchCompletion.class);

    private final BranchTable table;
    private final LogCompaction compaction;

    BranchCompletion(BranchTable table, LogCompaction compaction) {
        this.table = table;
        this.compaction = compaction;
    }

    /**
     * Commits branch {@code xid}, answering {@code [tid, oids]} at the commit point through {@code point} (so the
     * answer precedes the invalidations of any later commit on that connection); returns null then, or the answer
     * itself when it comes from a remembered outcome or the commit point did not send it.
     */
    Object commit(WireXid xid, CommitPoint point) {
        PreparedBranch branch;
        table.lock.lock();
        try {
            while (true) {
                Outcome o = table.outcomes.get(xid);
                if (o != null) {
                    return switch (o.kind()) {
                        case COMMITTED -> answer(o.tid(), o.oids());
                        case HEURISTIC -> throw XaErrors.error(XAException.XA_HEURRB, "branch " + xid
                                + " was rolled back heuristically by the server");
                        case ROLLED_BACK -> throw XaErrors.error(XAException.XA_RBROLLBACK, "branch " + xid
                                + " was rolled back");
                    };
                }
                branch = table.prepared.get(xid);
                if (branch == null || !branch.busy) {
                    break;
                }
                table.changed.awaitUninterruptibly();
            }
            if (branch != null) {
                if (branch.txn == null) {
                    throw XaErrors.error(XAException.XAER_RMFAIL, "branch " + xid + " cannot be committed now: an"
                            + " earlier commit of it failed in the storage; try again after the server restarts");
                }
                branch.busy = true;
                if (branch.timer != null) {
                    branch.timer.cancel(false);
                }
            }
        } finally {
            table.lock.unlock();
        }
        if (branch == null) {
            Outcome committed = table.outcomes.committedInStorage(xid);
            if (committed == null) {
                throw table.unknown(xid);
            }
            return answer(committed.tid(), committed.oids());
        }
        return finish(xid, branch, point);
    }

    private Object finish(WireXid xid, PreparedBranch branch, CommitPoint point) {
        StorageTransaction st = branch.txn;
        // At the commit point, before the reply: recover must not list a branch whose commit was answered.
        BooleanSupplier replied = point.arm(st, (tid, oids) -> {
            committedInMemory(xid, branch, tid, oids);
            return answer(tid, oids);
        });
        Tid tid;
        try {
            tid = st.finish();
        } catch (RuntimeException e) {
            LOG.error("storage '{}': committing XA branch {} failed", table.storageName, xid, e);
            table.lock.lock();
            try {
                branch.busy = false;
                branch.txn = null;
                table.changed.signalAll();
            } finally {
                table.lock.unlock();
            }
            throw XaErrors.error(XAException.XAER_RMFAIL, "committing branch " + xid + " failed in the storage: "
                    + e.getMessage());
        } finally {
            point.disarm(st);
        }
        CrashPoints.reach(CrashPoints.XA_COMMIT_APPENDED);
        branch.committed();
        List<Oid> oids = st.writtenOids();
        committedInMemory(xid, branch, tid, oids);
        table.lock.lock();
        try {
            Outcome outcome = table.outcomes.get(xid);
            // Null only if already forgotten for the outcome limit by concurrent commits (a limit that small).
            long time = outcome == null ? table.clock.millis() : outcome.timeMillis();
            try {
                // No fsync of its own: Data.fs already holds the commit with its xid, which a restart finds.
                table.log.appendLazily(new XaLogRecord.Committed(xid, time, tid, List.copyOf(oids)));
            } catch (IOException e) {
                // The commit is in the storage with the xid: a restart records the outcome from there.
                LOG.error("storage '{}': recording the commit of XA branch {} ({}) in the XA log failed",
                        table.storageName, xid, tid, e);
            }
            compaction.maybeCompact();
        } finally {
            table.lock.unlock();
        }
        LOG.debug("{}: XA branch {} committed as {}", point.caller(), xid, tid);
        return replied.getAsBoolean() ? null : answer(tid, oids);
    }

    /** The branch is committed as {@code tid}: it leaves the prepared ones (idempotent). */
    private void committedInMemory(WireXid xid, PreparedBranch branch, Tid tid, List<Oid> oids) {
        table.lock.lock();
        try {
            if (table.prepared.get(xid) == branch) {
                table.prepared.remove(xid);
                table.outcomes.put(xid, Outcome.committed(table.clock.millis(), tid, oids));
            }
            branch.busy = false;
            table.changed.signalAll();
        } finally {
            table.lock.unlock();
        }
    }

    private static Object answer(Tid tid, List<Oid> oids) {
        return List.of(tid, new ArrayList<Object>(oids));
    }

    /** Rolls branch {@code xid} back: logged first, then its locks are released. */
    void rollback(WireXid xid) {
        table.lock.lock();
        try {
            PreparedBranch branch;
            while (true) {
                Outcome o = table.outcomes.get(xid);
                if (o != null) {
                    switch (o.kind()) {
                        case COMMITTED -> throw XaErrors.error(XAException.XA_HEURCOM, "branch " + xid
                                + " was committed as " + o.tid());
                        case HEURISTIC -> throw XaErrors.error(XAException.XA_HEURRB, "branch " + xid
                                + " was already rolled back heuristically by the server; forget it");
                        default -> {
                            return;
                        }
                    }
                }
                branch = table.prepared.get(xid);
                if (branch == null) {
                    throw table.unknown(xid);
                }
                if (!branch.busy) {
                    break;
                }
                table.changed.awaitUninterruptibly();
            }
            long now = table.clock.millis();
            try {
                table.log.append(new XaLogRecord.RolledBack(xid, now));
            } catch (IOException e) {
                LOG.error("storage '{}': recording the rollback of XA branch {} failed", table.storageName, xid, e);
                throw XaErrors.error(XAException.XAER_RMFAIL, "branch " + xid + " is still prepared: the server could"
                        + " not write its XA log: " + e.getMessage());
            }
            branch.release();
            table.prepared.remove(xid);
            table.outcomes.put(xid, Outcome.rolledBack(now));
            table.changed.signalAll();
            compaction.maybeCompact();
        } finally {
            table.lock.unlock();
        }
    }

    /** The prepared branches and the heuristically completed ones not yet forgotten. */
    List<WireXid> recover() {
        table.lock.lock();
        try {
            List<WireXid> xids = new ArrayList<>(table.prepared.keySet());
            xids.addAll(table.outcomes.heuristic());
            return xids;
        } finally {
            table.lock.unlock();
        }
    }

    /** Who prepared {@code xid}, while recover lists it (prepared, or a heuristic outcome); null otherwise. */
    String owner(WireXid xid) {
        table.lock.lock();
        try {
            PreparedBranch branch = table.prepared.get(xid);
            if (branch != null) {
                return branch.record.owner();
            }
            Outcome o = table.outcomes.get(xid);
            return o != null && o.kind() == Outcome.Kind.HEURISTIC ? o.owner() : null;
        } finally {
            table.lock.unlock();
        }
    }

    /** Forgets a heuristic outcome. */
    void forget(WireXid xid) {
        table.lock.lock();
        try {
            Outcome o = table.outcomes.get(xid);
            if (o == null || o.kind() != Outcome.Kind.HEURISTIC) {
                throw XaErrors.error(XAException.XAER_NOTA, "no heuristic outcome is remembered for branch " + xid
                        + (table.prepared.containsKey(xid) ? " (it is prepared)" : ""));
            }
            try {
                table.log.append(new XaLogRecord.Forgotten(xid, table.clock.millis()));
            } catch (IOException e) {
                throw XaErrors.error(XAException.XAER_RMFAIL, "could not write the XA log: " + e.getMessage());
            }
            table.outcomes.remove(xid);
            compaction.maybeCompact();
        } finally {
            table.lock.unlock();
        }
    }
}
