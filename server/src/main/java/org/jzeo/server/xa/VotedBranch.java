package org.jzeo.server.xa;

import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.StorageTransaction;

/**
 * A branch voted (locks taken, checks passed) and appended to the log, not yet durable. A branch its database keeps
 * ({@link DatabaseXaBranches}) has no log record ({@link #record} null, {@link #logOffset} -1).
 */
public final class VotedBranch {
    final WireXid xid;
    final XaLogRecord.Prepared record;
    final StorageTransaction transaction;
    final long logOffset;
    final List<Oid> undone;

    VotedBranch(WireXid xid, XaLogRecord.Prepared record, StorageTransaction transaction, long logOffset,
                List<Oid> undone) {
        this.xid = xid;
        this.record = record;
        this.transaction = transaction;
        this.logOffset = logOffset;
        this.undone = undone;
    }
}
