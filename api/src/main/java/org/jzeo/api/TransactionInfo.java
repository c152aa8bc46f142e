package org.jzeo.api;

import java.time.Instant;
import java.util.Map;

/**
 * A committed transaction as the undo log shows it: its tid, time, user, description and extension (the
 * metadata the committing application set with {@link StorageConnection#setTransactionInfo}).
 */
public record TransactionInfo(Tid tid, Instant time, String user, String description, Map<String, Object> extension) {
    public TransactionInfo {
        extension = Map.copyOf(extension);
    }
}
