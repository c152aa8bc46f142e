package org.jzeo.rar;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.LocalTransactionException;
import org.jzeo.api.DisconnectedException;

/**
 * The container's one-phase transaction demarcation on a managed connection ({@code <transaction-support>} local
 * transactions, or the last-resource commit optimisation): begin/commit/rollback map onto the physical
 * connection's begin/commit/abort ({@code tpc_begin}…{@code tpc_finish} in one go at commit).
 */
final class ContainerLocalTransaction implements LocalTransaction {
    private final JzeoManagedConnection connection;
    private final LocalTransactions transactions;

    ContainerLocalTransaction(JzeoManagedConnection connection, LocalTransactions transactions) {
        this.connection = connection;
        this.transactions = transactions;
    }

    @Override
    public void begin() throws ResourceException {
        run("begin", transactions::beginByContainer);
    }

    @Override
    public void commit() throws ResourceException {
        run("commit", transactions::commitByContainer);
    }

    @Override
    public void rollback() throws ResourceException {
        run("roll back", transactions::rollbackByContainer);
    }

    /** Runs a step, turning the storage's exceptions into the ones the contract declares. */
    private void run(String what, Runnable step) throws ResourceException {
        try {
            step.run();
        } catch (DisconnectedException e) {
            connection.failed(null, e); // the pool must not keep a connection whose server is gone
            throw exception(what, e);
        } catch (RuntimeException e) {
            throw exception(what, e);
        }
    }

    private static LocalTransactionException exception(String what, RuntimeException cause) {
        return new LocalTransactionException("jzeo local transaction: cannot " + what + ": " + cause.getMessage(),
                cause);
    }
}
