package org.jzeo.server.xa;

import java.util.List;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.Operation;
import org.jzeo.storage.TransactionMetadata;

/**
 * A branch admitted for prepare ({@link XaBranches#admit}), to be voted by the caller in a storage transaction
 * begun with {@link #metadata}, which names the branch in its {@code jzeo.xid} extension.
 *
 * @param lastTidAtPrepare the storage's last tid before the vote: a commit of the branch can only come after it
 * @param owner            the user preparing it; null without authentication
 */
public record PreparingBranch(WireXid xid, TransactionMetadata metadata, List<Operation> operations,
                              Tid lastTidAtPrepare, String owner) {
    public PreparingBranch {
        operations = List.copyOf(operations);
    }
}
