package org.jzeo.server.xa;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;

/**
 * The commits of XA branches as the storage keeps them: each carries its branch's xid in the transaction extension
 * {@value #XID_EXTENSION}, so a commit whose outcome record was lost (or forgotten) is found again by scanning.
 */
final class XidCommits {
    /** The transaction extension key naming the branch a commit belongs to. */
    static final String XID_EXTENSION = "jzeo.xid";

    private XidCommits() {
    }

    /**
     * Calls {@code found} for every transaction from {@code from} on whose xid is one of {@code wanted}'s, until it
     * returns false.
     */
    static void scan(Storage storage, Tid from, Map<String, WireXid> wanted,
                     BiPredicate<WireXid, TransactionRecord> found) {
        try (StorageIterator it = storage.iterator(from, null)) {
            while (it.hasNext()) {
                TransactionRecord t = it.next();
                Object name = t.extension().get(XID_EXTENSION);
                WireXid xid = name instanceof String s ? wanted.get(s) : null;
                if (xid != null && !found.test(xid, t)) {
                    return;
                }
            }
        }
    }

    static List<Oid> writtenOids(TransactionRecord t) {
        List<Oid> oids = new ArrayList<>();
        for (DataRecord d : t.records()) {
            oids.add(d.oid());
        }
        return List.copyOf(oids);
    }
}
