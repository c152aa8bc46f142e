package org.jzeo.server.xa;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.Operation;
import org.jzeo.storage.TransactionMetadata;

/** What an XA branch may hold, whoever keeps it, and the metadata it commits with. */
final class BranchRules {
    private BranchRules() {
    }

    /**
     * The metadata branch {@code xid} is voted and committed with (naming the xid in its {@code jzeo.xid}
     * extension); refused with the branch rolled back if it holds an undo or a restore or has an explicit tid.
     */
    static TransactionMetadata admissible(WireXid xid, List<Operation> ops, TransactionMetadata given) {
        if (ops.stream().anyMatch(op -> op instanceof Operation.Restore || op instanceof Operation.Undo)) {
            throw XaErrors.error(XAException.XA_RBPROTO, "undo and restore are not supported in an XA branch;"
                    + " branch " + xid + " rolled back");
        }
        if (given.explicitTid() != null) {
            throw XaErrors.error(XAException.XA_RBPROTO, "a transaction with an explicit tid (restore/copy) cannot"
                    + " be an XA branch; branch " + xid + " rolled back");
        }
        Map<String, Object> extension = new LinkedHashMap<>(given.extension());
        extension.put(XidCommits.XID_EXTENSION, xid.toString());
        return new TransactionMetadata(given.user(), given.description(), extension, null, given.status());
    }
}
