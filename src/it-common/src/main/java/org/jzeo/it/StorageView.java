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
        return preparedXids(storage).size();
    }

    static java.util.List<javax.transaction.xa.Xid> preparedXids(StorageUnderTest storage) {
        try (ClientConnectionFactory client = storage.directClient()) {
            return client.storage().recoverPrepared();
        }
    }

    /** How many revisions of account {@code name}'s object the storage holds: one per commit that wrote it. */
    static int revisions(StorageUnderTest storage, String name) {
        try (ClientConnectionFactory client = storage.directClient(); StorageConnection c = client.getConnection()) {
            c.begin();
            Oid account = null;
            try {
                for (String line : text(c.read(c.rootOid())).split("\n")) {
                    if (line.startsWith(name + "=")) {
                        account = Oid.of(Long.parseLong(line.substring(name.length() + 1)));
                    }
                }
            } finally {
                c.abort();
            }
            if (account == null) {
                throw new AssertionError("no account " + name + " in the root");
            }
            int count = 0;
            for (org.jzeo.storage.LoadResult r = client.storage().loadBefore(account, Tid.MAX); r != null;
                 r = client.storage().loadBefore(account, r.start())) {
                count++;
            }
            return count;
        }
    }

    private static String text(StoredObject object) {
        return new String(object.payload(), StandardCharsets.UTF_8);
    }
}
