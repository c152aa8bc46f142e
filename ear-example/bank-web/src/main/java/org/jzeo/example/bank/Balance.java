package org.jzeo.example.bank;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;

/** An account object's state: its balance as decimal text. */
final class Balance {
    private Balance() {
    }

    static long read(StorageConnection connection, Oid account) {
        return Long.parseLong(new String(connection.read(account).payload(), StandardCharsets.UTF_8));
    }

    static void write(StorageConnection connection, Oid account, long balance) {
        connection.write(account, Long.toString(balance).getBytes(StandardCharsets.UTF_8), List.of());
    }
}
