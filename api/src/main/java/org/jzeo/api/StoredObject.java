package org.jzeo.api;

import java.util.List;

/**
 * One object as a transaction sees it: its oid, the serial (tid) of the revision read, the application's payload
 * and the oids it references. Records written by Python ZODB clients (pickles) are given as they are: the whole
 * record as payload, no references.
 *
 * <p>The payload array belongs to the caller (each read returns a fresh copy).
 */
public record StoredObject(Oid oid, Tid serial, byte[] payload, List<Oid> references) {
    public StoredObject {
        references = List.copyOf(references);
    }
}
