package org.jzeo.storage;

import java.util.List;
import java.util.Map;
import org.jzeo.api.Tid;

/** One committed transaction met while iterating the storage, with its data records in file order. */
public record TransactionRecord(Tid tid, char status, byte[] user, byte[] description,
                                Map<String, Object> extension, List<DataRecord> records) {
}
