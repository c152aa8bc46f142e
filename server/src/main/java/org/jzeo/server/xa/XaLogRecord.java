package org.jzeo.server.xa;

import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.Operation;
import org.jzeo.storage.TransactionMetadata;

/**
 * One record of the prepared log ({@link PreparedLog}): a branch prepared, or the outcome of a branch. Replayed
 * in file order, the last record about an xid says what the server knows of it.
 */
public sealed interface XaLogRecord {

    WireXid xid();

    /** When it happened, in milliseconds since the epoch. */
    long timeMillis();

    /**
     * A branch durably prepared: its metadata (with {@code jzeo.xid} in the extension), its operations, the
     * storage's last tid when it was prepared (a commit of the branch can only be after it) and its transaction
     * timeout in seconds (0: none) and the user who prepared it ({@code owner}, null without authentication).
     * A branch holds stores, read-current checks and deletes only.
     */
    record Prepared(WireXid xid, long timeMillis, Tid lastTidAtPrepare, int timeoutSeconds,
                    TransactionMetadata metadata, List<Operation> operations, String owner) implements XaLogRecord {
        public Prepared {
            operations = List.copyOf(operations);
        }

        /** A branch without an owner (as every branch was before format version 3). */
        public Prepared(WireXid xid, long timeMillis, Tid lastTidAtPrepare, int timeoutSeconds,
                        TransactionMetadata metadata, List<Operation> operations) {
            this(xid, timeMillis, lastTidAtPrepare, timeoutSeconds, metadata, operations, null);
        }
    }

    /** The branch committed as {@code tid}, writing {@code oids}. */
    record Committed(WireXid xid, long timeMillis, Tid tid, List<Oid> oids) implements XaLogRecord {
        public Committed {
            oids = List.copyOf(oids);
        }
    }

    /** The branch was rolled back at the transaction manager's request. */
    record RolledBack(WireXid xid, long timeMillis) implements XaLogRecord {
    }

    /**
     * The server rolled the branch back on its own (xa-heuristic-timeout, or it could not be re-locked). xa_recover
     * lists it until xa_forget, so it keeps the {@code owner} of the prepared branch (null: none) for the rights check.
     */
    record HeuristicRollback(WireXid xid, long timeMillis, String reason, String owner) implements XaLogRecord {
        /** An outcome without an owner (as every one was before format version 3). */
        public HeuristicRollback(WireXid xid, long timeMillis, String reason) {
            this(xid, timeMillis, reason, null);
        }
    }

    /** The transaction manager forgot a heuristic outcome: nothing is remembered of the xid any more. */
    record Forgotten(WireXid xid, long timeMillis) implements XaLogRecord {
    }
}
