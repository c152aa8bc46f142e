package org.jzeo.example.bank;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StoredObject;

/**
 * The bank's root object: account names and the oids of their objects, one {@code name=oid} line each. The oids are
 * also the root's references, so that a pack keeps every account.
 */
final class AccountIndex {
    private final Map<String, Oid> accounts;

    private AccountIndex(Map<String, Oid> accounts) {
        this.accounts = accounts;
    }

    /** The index as {@code connection} sees it; empty when the storage has no root yet. */
    static AccountIndex read(StorageConnection connection) {
        Map<String, Oid> accounts = new TreeMap<>();
        StoredObject root;
        try {
            root = connection.read(connection.rootOid());
        } catch (POSKeyException noRootYet) {
            return new AccountIndex(accounts);
        }
        for (String line : new String(root.payload(), StandardCharsets.UTF_8).split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                accounts.put(line.substring(0, equals), Oid.of(Long.parseLong(line.substring(equals + 1))));
            }
        }
        return new AccountIndex(accounts);
    }

    Optional<Oid> find(String name) {
        return Optional.ofNullable(accounts.get(name));
    }

    Oid require(String name) {
        return find(name).orElseThrow(() -> new UnknownAccount(name));
    }

    Map<String, Oid> accounts() {
        return Map.copyOf(accounts);
    }

    void add(String name, Oid oid) {
        if (name.isEmpty() || name.contains("=") || name.contains("\n")) {
            throw new IllegalArgumentException("account names may not be empty or contain '=' or a line break: "
                    + name);
        }
        accounts.put(name, oid);
    }

    /** Writes the index as the root object in {@code connection}'s transaction. */
    void write(StorageConnection connection) {
        StringBuilder text = new StringBuilder();
        List<Oid> references = new ArrayList<>();
        accounts.forEach((name, oid) -> {
            text.append(name).append('=').append(oid.value()).append('\n');
            references.add(oid);
        });
        connection.write(connection.rootOid(), text.toString().getBytes(StandardCharsets.UTF_8), references);
    }
}
