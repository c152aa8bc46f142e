package org.jzeo.it;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientConnectionFactory;

/**
 * The bank's accounts read straight from the jzeo server by a Java SE client, independently of the application:
 * the root object's {@code name=oid} lines, each account's balance as decimal text.
 */
final class StorageView {
    private StorageView() {
    }

    static Map<String, Long> balances(StorageUnderTest storage) {
        try (ClientConnectionFactory client = storage.directClient(); StorageConnection c = client.getConnection()) {
            c.begin();
            try {
                Map<String, Long> balances = new TreeMap<>();
                StoredObject root;
                try {
                    root = c.read(c.rootOid());
                } catch (POSKeyException empty) {
                    return balances;
                }
                for (String line : text(root).split("\n")) {
                    int equals = line.indexOf('=');
                    if (equals > 0) {
                        Oid account = Oid.of(Long.parseLong(line.substring(equals + 1)));
                        balances.put(line.substring(0, equals), Long.parseLong(text(c.read(account))));
                    }
                }
                return balances;
            } finally {
                c.abort();
            }
        }
    }

    static Tid lastTransaction(StorageUnderTest storage) {
        try (ClientConnectionFactory client = storage.directClient(); StorageConnection c = client.getConnection()) {
            return c.lastTransaction();
        }
    }

    static int preparedBranches(StorageUnderTest storage) {
        try (ClientConnectionFactory client = storage.directClient()) {
            return client.storage().recoverPrepared().size();
        }
    }

    private static String text(StoredObject object) {
        return new String(object.payload(), StandardCharsets.UTF_8);
    }
}
