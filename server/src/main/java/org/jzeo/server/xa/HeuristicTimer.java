package org.jzeo.server.xa;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jzeo.protocol.WireXid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code xa-heuristic-timeout}: rolls back, on the server's own decision, a branch left prepared longer than the
 * timeout (never sooner than the branch's own transaction timeout). The rollback is logged before the locks go,
 * and xa_recover reports the branch until xa_forget.
 */
final class HeuristicTimer {
    private static final Logger LOG = LoggerFactory.getLogger(HeuristicTimer.class);

    private final BranchTable table;
    private final XaOptions options;
    private ScheduledExecutorService scheduler;

    HeuristicTimer(BranchTable table, XaOptions options) {
        this.table = table;
        this.options = options;
    }

    /** The timers run on {@code scheduler} from now on. */
    void start(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** Arms the heuristic rollback of {@code branch}, if the server has a heuristic timeout. Under the lock. */
    void arm(PreparedBranch branch) {
        if (options.heuristicTimeout().isEmpty() || scheduler == null) {
            return;
        }
        long effective = Math.max(options.heuristicTimeout().get().toMillis(),
                branch.record.timeoutSeconds() * 1000L);
        long delay = Math.max(0, branch.record.timeMillis() + effective - table.clock.millis());
        try {
            branch.timer = scheduler.schedule(() -> expire(branch), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("not arming the heuristic timeout of {}: the server is stopping", branch.record.xid());
        }
    }

    private void expire(PreparedBranch branch) {
        WireXid xid = branch.record.xid();
        table.lock.lock();
        try {
            if (table.prepared.get(xid) != branch || branch.busy) {
                return;
            }
            long now = table.clock.millis();
            String reason = "waited longer than xa-heuristic-timeout ("
                    + Duration.ofMillis(now - branch.record.timeMillis()).toSeconds() + " s since prepare)";
            try {
                table.log.append(new XaLogRecord.HeuristicRollback(xid, now, reason, branch.record.owner()));
            } catch (IOException e) {
                LOG.error("storage '{}': recording the heuristic rollback of XA branch {} failed; it stays prepared",
                        table.storageName, xid, e);
                return;
            }
            branch.timer = null;
            branch.release();
            table.prepared.remove(xid);
            table.outcomes.put(xid, Outcome.heuristic(now, branch.record.owner()));
            table.changed.signalAll();
            LOG.warn("storage '{}': XA branch {} rolled back heuristically: it {}; its locks are released, and"
                    + " xa_recover reports it until xa_forget", table.storageName, xid, reason);
        } finally {
            table.lock.unlock();
        }
    }
}
