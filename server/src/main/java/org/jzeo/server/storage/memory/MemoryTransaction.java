package org.jzeo.server.storage.memory;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One committed transaction as the in-memory storage keeps it: header, status ({@code ' '}, or {@code 'p'} once
 * packed or when restored so) and its revisions in write order. Immutable; pack replaces it with a new one.
 *
 * @param size the length FileStorage would give this transaction record (header, metadata, records), an
 *             estimate where the extension's pickled length is unknown; reported as {@code size} by the undo log
 */
record MemoryTransaction(TxnHeader header, char status, List<Revision> records, long size) {
    private static final int TXN_HEADER_LENGTH = 23;
    private static final int DATA_HEADER_LENGTH = 42;
    private static final int BACK_POINTER_LENGTH = 8;

    static MemoryTransaction of(TxnHeader header, char status, List<Revision> records) {
        return new MemoryTransaction(header, status, List.copyOf(records), estimateSize(header, records));
    }

    /** The same transaction with other records (pack) and its new status. */
    MemoryTransaction withRecords(char newStatus, List<Revision> newRecords) {
        return of(header, newStatus, newRecords);
    }

    private static long estimateSize(TxnHeader header, List<Revision> records) {
        long size = TXN_HEADER_LENGTH + header.user().length + header.description().length;
        if (!header.extension().isEmpty()) {
            size += header.extension().toString().getBytes(StandardCharsets.UTF_8).length;
        }
        for (Revision r : records) {
            long stored = r.storedLength();
            // FileStorage writes a back pointer instead of data when a record has no data of its own.
            size += DATA_HEADER_LENGTH + (stored > 0 ? stored : BACK_POINTER_LENGTH);
        }
        return size;
    }
}
