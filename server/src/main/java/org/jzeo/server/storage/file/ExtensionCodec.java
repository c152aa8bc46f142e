package org.jzeo.server.storage.file;

import java.util.Map;
import org.jzeo.server.storage.pickle.PickleException;
import org.jzeo.server.storage.pickle.PickleReader;
import org.jzeo.server.storage.pickle.PickleWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction extension field: a pickled dict in the file (spec §3.2), a map in Java. An extension that
 * cannot be unpickled reads as an empty map, as Python's undoLog does, with a warning naming the transaction.
 */
final class ExtensionCodec {
    private static final Logger LOG = LoggerFactory.getLogger(ExtensionCodec.class);

    private ExtensionCodec() {
    }

    static byte[] encode(Map<String, Object> extension) {
        if (extension.isEmpty()) {
            return new byte[0];
        }
        byte[] pickled = PickleWriter.pickleDict(extension);
        if (pickled.length > 65535) {
            throw new IllegalArgumentException("the transaction extension pickles to " + pickled.length
                    + " bytes; at most 65535 are allowed");
        }
        return pickled;
    }

    static Map<String, Object> decode(TransactionHeader txn) {
        if (txn.extension().length == 0) {
            return Map.of();
        }
        try {
            return PickleReader.unpickleDict(txn.extension());
        } catch (PickleException | IllegalArgumentException e) {
            LOG.warn("transaction {} at offset {}: unreadable extension, using {{}}: {}", txn.tid(), txn.pos(),
                    e.getMessage());
            return Map.of();
        }
    }
}
