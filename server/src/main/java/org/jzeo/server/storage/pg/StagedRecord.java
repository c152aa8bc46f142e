package org.jzeo.server.storage.pg;

import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * One record a voted transaction will write: the object's new state (null: no data, for a deletion or an undone
 * creation) and, for undo and restore without data, the tid of the revision it repeats (the back pointer).
 */
record StagedRecord(Oid oid, byte[] state, Tid dataTid) {

    /** The length FileStorage would store for this record's data: 0 when the state lives in another record. */
    long storedLength() {
        return dataTid == null && state != null ? state.length : 0;
    }
}
