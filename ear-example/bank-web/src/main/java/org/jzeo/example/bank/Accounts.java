package org.jzeo.example.bank;

import java.util.Collections;
import java.util.SortedMap;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.PersistentMap;
import org.jzeo.objects.PersistentSortedMap;

/**
 * Where the bank keeps its accounts in jzeo: a {@link PersistentSortedMap} from account name to {@link Account},
 * under the key {@value #ROOT_KEY} of the database's root. Shared by the bank and by clients that read the
 * accounts directly (the integration tests).
 */
public final class Accounts {
    /** The classes the bank stores, besides jzeo's own containers. */
    public static final ObjectTypes TYPES = ObjectTypes.of(Account.class);
    /** The root's key for the accounts map. */
    public static final String ROOT_KEY = "bank.accounts";

    private Accounts() {
    }

    /** The accounts map, made in the root (and stored with the transaction) when the database has none yet. */
    @SuppressWarnings("unchecked")
    static PersistentSortedMap<String, Account> orCreate(ObjectConnection connection) {
        return (PersistentSortedMap<String, Account>) connection.root()
                .computeIfAbsent(ROOT_KEY, key -> new PersistentSortedMap<String, Account>());
    }

    /** The accounts as stored; empty when no account was ever opened. Reading creates nothing. */
    @SuppressWarnings("unchecked")
    public static SortedMap<String, Account> stored(ObjectConnection connection) {
        PersistentMap<String, Object> root;
        try {
            root = connection.get(Oid.ROOT, PersistentMap.class);
        } catch (POSKeyException noRootYet) {
            return Collections.emptySortedMap();
        }
        Object accounts = root.get(ROOT_KEY);
        return accounts == null ? Collections.emptySortedMap() : (SortedMap<String, Account>) accounts;
    }
}
