package org.jzeo.it;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.example.bank.Account;
import org.jzeo.example.bank.Accounts;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.Persistent;

/**
 * The bank's accounts read straight from the jzeo server by a Java SE client, independently of the application
 * server, with the application's own classes: the accounts map under the root and each {@link Account} object.
 */
final class StorageView {
    private StorageView() {
    }

    static Map<String, Long> balances(StorageUnderTest storage) {
        return reading(storage, connection -> {
            Map<String, Long> balances = new TreeMap<>();
            Accounts.stored(connection).forEach((name, account) -> balances.put(name, account.balance()));
            return balances;
        });
    }

    /** Runs {@code read} in a transaction of its own that is aborted afterwards: nothing is ever written. */
    private static <T> T reading(StorageUnderTest storage, Function<ObjectConnection, T> read) {
        try (ClientConnectionFactory client = storage.directClient();
             ObjectConnection connection = ObjectDatabase.over(client, Accounts.TYPES).open()) {
            connection.begin();
            try {
                return read.apply(connection);
            } finally {
                connection.abort();
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
        Oid account = reading(storage, connection -> {
            Account found = Accounts.stored(connection).get(name);
            if (found == null) {
                throw new AssertionError("no account " + name + " in the bank's accounts");
            }
            return Persistent.oidOf(found);
        });
        try (ClientConnectionFactory client = storage.directClient()) {
            int count = 0;
            for (org.jzeo.storage.LoadResult r = client.storage().loadBefore(account, Tid.MAX); r != null;
                 r = client.storage().loadBefore(account, r.start())) {
                count++;
            }
            return count;
        }
    }
}
