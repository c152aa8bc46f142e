package org.jzeo.server.storage.commit;

import org.jzeo.api.Oid;

/** One record of a voted transaction, ready to be written. */
public record PreparedRecord(Oid oid, RecordSource source) {
}
