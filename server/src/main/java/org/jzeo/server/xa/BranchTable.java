package org.jzeo.server.xa;

import java.time.InstantSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.Storage;

/**
 * The XA branches of one storage, as every XA job sees them: the prepared ones, those being prepared, the
 * remembered outcomes and the {@link PreparedLog} behind them, all guarded by {@link #lock}.
 *
 * <p>Invariants, all under {@link #lock}: a branch is in {@link #prepared} only once its prepared record is
 * fsynced, and leaves it only once its outcome is decided (committed in the storage, or a rollback record
 * fsynced); {@code xa_recover} reads the maps under the same lock, so it never lists a branch that is not durably
 * prepared and never misses one whose prepare was answered. A rollback is logged before the locks are released,
 * so a crash cannot bring back a branch whose objects others already changed. A commit's outcome record is
 * written after the storage commit; if the server dies in between, the restart finds the commit in the storage
 * by the {@code jzeo.xid} extension and records the outcome then.
 */
final class BranchTable {
    final String storageName;
    final Storage storage;
    final InstantSource clock;
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a branch stops being busy or leaves {@link #prepared}. */
    final Condition changed = lock.newCondition();
    final Map<WireXid, PreparedBranch> prepared = new LinkedHashMap<>();
    /** Xids between their duplicate check and their publication as prepared (or their failure). */
    final Set<WireXid> preparing = new HashSet<>();
    final OutcomeMemory outcomes;
    /** Prepared records written but not yet forced and published. */
    int unpublished;
    /** Replaced once, by the real log, at start. */
    PreparedLog log = PreparedLog.inMemory();

    BranchTable(String storageName, Storage storage, XaOptions options, InstantSource clock) {
        this.storageName = storageName;
        this.storage = storage;
        this.clock = clock;
        this.outcomes = new OutcomeMemory(storageName, storage, options, clock);
    }

    /** {@code xid} has no prepared branch and no outcome: the XAER_NOTA an xa_commit or xa_rollback gets. */
    RuntimeException unknown(WireXid xid) {
        return XaErrors.error(javax.transaction.xa.XAException.XAER_NOTA, "no branch " + xid
                + " is prepared on storage '" + storageName + "' and no outcome is remembered for it");
    }
}
