package org.jzeo.server.xa;

import java.util.concurrent.ScheduledFuture;
import org.jzeo.server.storage.ReceivedBlobFiles;
import org.jzeo.storage.StorageTransaction;

/**
 * One durably prepared branch: its prepared record and the voted storage transaction holding its object locks,
 * detached from any connection. Mutable state guarded by the branches' lock ({@link BranchTable#lock}).
 */
final class PreparedBranch {
    final XaLogRecord.Prepared record;
    /** Null once a commit of it failed in the storage: it stays prepared, but only a restart can commit it. */
    StorageTransaction txn;
    /** A commit of it is under way: rollbacks, commits and the heuristic timer wait or leave it alone. */
    boolean busy;
    ScheduledFuture<?> timer;

    PreparedBranch(XaLogRecord.Prepared record, StorageTransaction txn) {
        this.record = record;
        this.txn = txn;
    }

    /** Stops its timer and releases its locks (rolled back); its received blob files go. */
    void release() {
        if (timer != null) {
            timer.cancel(false);
        }
        if (txn != null) {
            txn.abort();
        }
        ReceivedBlobFiles.deleteAll(record.operations());
    }

    /** Committed: the storage has its own links to the blobs, so the received files go. */
    void committed() {
        ReceivedBlobFiles.deleteAll(record.operations());
    }
}
