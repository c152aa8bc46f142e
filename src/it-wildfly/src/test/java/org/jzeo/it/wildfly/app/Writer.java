package org.jzeo.it.wildfly.app;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;

/** Writes one new object through the resource adapter, inside the container's JTA transaction. */
@Stateless
public class Writer {
    @Resource(lookup = "java:/eis/jzeo")
    private StorageConnectionFactory connections;

    @Resource
    private TransactionSynchronizationRegistry transactions;

    /**
     * Stores {@code text} as a new object and returns its oid; the container commits when this returns.
     *
     * @throws RolledBack after writing, when {@code fail}: the container rolls the transaction back
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Written write(String text, boolean fail) {
        if (transactions.getTransactionStatus() != Status.STATUS_ACTIVE) {
            throw new IllegalStateException("no active JTA transaction: status " + transactions.getTransactionStatus());
        }
        try (StorageConnection connection = connections.getConnection()) {
            Oid oid = connection.newOid();
            connection.write(oid, text.getBytes(StandardCharsets.UTF_8), List.of());
            boolean inTransaction = connection.inTransaction();
            if (fail) {
                throw new RolledBack(oid.value());
            }
            return new Written(oid.value(), String.valueOf(transactions.getTransactionKey()), inTransaction,
                    connections.getClass().getName());
        }
    }

    /** What {@link #write} did, for the test to check. */
    public record Written(long oid, String transaction, boolean inTransaction, String factoryClass) {
    }
}
