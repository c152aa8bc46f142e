package org.jzeo.server.storage.commit;

import java.util.List;
import org.jzeo.storage.TransactionMetadata;

/**
 * A voted transaction: its metadata and its records, one per oid, in the order they were first written.
 * Conflicts were checked and the oids are locked, so appending it cannot fail for a conflict.
 */
public record PreparedTransaction(TransactionMetadata metadata, List<PreparedRecord> records) {
}
