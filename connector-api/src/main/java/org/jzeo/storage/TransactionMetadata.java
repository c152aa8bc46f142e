package org.jzeo.storage;

import java.util.Map;
import org.jzeo.api.Tid;

/**
 * What {@code tpc_begin} carries: user, description and extension, and, for restore/copy, an explicit tid
 * and status. Ordinary commits leave {@code explicitTid} null and use status {@code ' '}.
 *
 * @param user        raw bytes (UTF-8 by convention), at most 65535
 * @param description raw bytes (UTF-8 by convention), at most 65535
 * @param extension   the extension dict: String keys; values of the pickle-able kinds (String, byte[], Long,
 *                    Integer, Double, Boolean, null, List, Map)
 * @param explicitTid the tid to commit with (must be above the last tid), or null to let the storage pick
 * @param status      the final status: {@code ' '} normally, {@code 'p'} for copies of packed transactions
 */
public record TransactionMetadata(byte[] user, byte[] description, Map<String, Object> extension, Tid explicitTid,
                                  char status) {
    public static final int MAX_FIELD_LENGTH = 65535;

    public TransactionMetadata {
        user = user == null ? new byte[0] : user;
        description = description == null ? new byte[0] : description;
        extension = extension == null ? Map.of() : extension;
        if (status != ' ' && status != 'p') {
            throw new IllegalArgumentException("transaction status must be ' ' or 'p', got '" + status + "'");
        }
        if (user.length > MAX_FIELD_LENGTH || description.length > MAX_FIELD_LENGTH) {
            throw new IllegalArgumentException("user and description are limited to 65535 bytes");
        }
    }

    /** An ordinary commit's metadata. */
    public static TransactionMetadata of(String user, String description, Map<String, Object> extension) {
        return new TransactionMetadata(utf8(user), utf8(description), extension, null, ' ');
    }

    public static TransactionMetadata empty() {
        return of("", "", Map.of());
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
