package org.jzeo.server.storage.commit;

import org.jzeo.api.Tid;

/**
 * Where a prepared record's state comes from: inline bytes, an earlier committed record (a back pointer, as
 * undo and restore write it), or nothing (a deletion or an undone creation).
 */
public sealed interface RecordSource {

    /** The state is these bytes. */
    record Inline(byte[] data) implements RecordSource {
    }

    /**
     * The state is that of an earlier committed record: the record of the same oid written by transaction
     * {@code dataTxn}, found at {@code position} in engines that have positions (-1 where they do not).
     */
    record SameAs(Tid dataTxn, long position) implements RecordSource {
    }

    /** No state: a deletion, or the undo of a creation. Loading it raises POSKeyError. */
    record NoData() implements RecordSource {
    }
}
