package org.jzeo.server.storage.memory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jzeo.api.Tid;
import org.jzeo.storage.TransactionMetadata;

/**
 * The descriptive part of a committed transaction, shared by all its revisions (history reports it per
 * revision). Immutable once built: the arrays are private copies and the extension map is read-only.
 */
record TxnHeader(Tid tid, byte[] user, byte[] description, Map<String, Object> extension) {

    static TxnHeader of(Tid tid, TransactionMetadata metadata) {
        // LinkedHashMap, not Map.copyOf: extension values may be null (they come from Python dicts).
        Map<String, Object> ext = Collections.unmodifiableMap(new LinkedHashMap<>(metadata.extension()));
        return new TxnHeader(tid, metadata.user().clone(), metadata.description().clone(), ext);
    }

    /** The commit time as epoch seconds, as ZODB reports {@code time} in history and undo logs. */
    double time() {
        return tid.toEpochSeconds();
    }
}
