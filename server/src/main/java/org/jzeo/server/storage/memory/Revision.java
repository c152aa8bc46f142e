package org.jzeo.server.storage.memory;

import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * One committed revision of one object. Immutable: {@code data} is never modified and never handed out
 * without copying.
 *
 * @param data    the object's state at this revision, already resolved through any back pointer; null for a
 *                deletion or an undone creation
 * @param dataTxn the tid of the revision whose state this one repeats (undo and restore write such records,
 *                FileStorage's back pointer), or null when the state was written here
 */
record Revision(Oid oid, TxnHeader txn, byte[] data, Tid dataTxn) {

    Tid tid() {
        return txn.tid();
    }

    boolean hasData() {
        return data != null;
    }

    /**
     * The data length as FileStorage reports it ({@code plen}): 0 when the state lives in another record, so
     * history and undo sizes match between the two engines.
     */
    long storedLength() {
        return dataTxn == null && data != null ? data.length : 0;
    }

    /** This revision with its state written in place, as pack rewrites the records it keeps. */
    Revision inlined() {
        return dataTxn == null ? this : new Revision(oid, txn, data, null);
    }
}
