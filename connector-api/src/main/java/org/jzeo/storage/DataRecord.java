package org.jzeo.storage;

import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * One data record met while iterating transactions. {@code data} is null for a deletion or an undone
 * creation; {@code dataTxn} is the tid of the transaction a back pointer refers to, or null.
 */
public record DataRecord(Oid oid, Tid tid, byte[] data, Tid dataTxn) {
}
