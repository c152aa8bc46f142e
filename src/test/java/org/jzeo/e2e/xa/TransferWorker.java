package org.jzeo.e2e.xa;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.sql.XAConnection;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.StorageXAResource;

/**
 * One client of the XA kill storm (in {@link XaStormChild}): until told to stop, it moves money between two random
 * accounts in one Narayana transaction over jzeo (both accounts) and H2 (a ledger row), and reports each transfer
 * with what the transaction manager said of it.
 */
final class TransferWorker implements Runnable {
    private static final int MAX_AMOUNT = 20;

    private final TransactionManager tm;
    private final ClientConnectionFactory jzeo;
    private final XAConnection h2;
    /**
     * H2's one handle on {@code h2}, taken once: taking another closes this one, which sets auto-commit on the
     * physical connection, and the ledger row would then commit at once outside the XA branch.
     */
    private final Connection sql;
    private final List<Oid> accounts;
    private final Random random;
    private final long firstId;
    private final BooleanSupplier stopped;
    private final Consumer<Transfer> report;

    /** Transfer ids are {@code firstId}, {@code firstId + 1}, ...: unique across workers and rounds. */
    TransferWorker(TransactionManager tm, ClientConnectionFactory jzeo, XAConnection h2, List<Oid> accounts,
                   long seed, long firstId, BooleanSupplier stopped, Consumer<Transfer> report)
            throws SQLException {
        this.tm = tm;
        this.jzeo = jzeo;
        this.h2 = h2;
        this.sql = h2.getConnection();
        this.accounts = accounts;
        this.random = new Random(seed);
        this.firstId = firstId;
        this.stopped = stopped;
        this.report = report;
    }

    @Override
    public void run() {
        for (long id = firstId; !stopped.getAsBoolean(); id++) {
            int from = random.nextInt(accounts.size());
            int to = (from + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
            report.accept(transfer(id, from, to, 1 + random.nextInt(MAX_AMOUNT)));
        }
    }

    private Transfer transfer(long id, int from, int to, int wanted) {
        StorageConnection c;
        try {
            c = jzeo.getConnection();
        } catch (RuntimeException e) {
            return new Transfer(id, from, to, wanted, Transfer.ROLLED_BACK);
        }
        try {
            int amount;
            try {
                amount = writeTransfer(c, id, from, to, wanted);
            } catch (Exception e) {
                XaChild.say("aborted", id + " " + e);
                // Nothing was prepared yet: whatever failed (a conflict, the server gone), the transfer is not applied.
                rollbackQuietly();
                return new Transfer(id, from, to, wanted, Transfer.ROLLED_BACK);
            }
            if (amount == 0) {
                rollbackQuietly();
                return new Transfer(id, from, to, 0, Transfer.ROLLED_BACK);
            }
            return new Transfer(id, from, to, amount, commit());
        } finally {
            closeQuietly(c);
        }
    }

    /** Begins the transaction and writes the transfer in jzeo and H2; returns the amount (0: nothing to move). */
    private int writeTransfer(StorageConnection c, long id, int from, int to, int wanted) throws Exception {
        tm.begin();
        Transaction tx = tm.getTransaction();
        tx.enlistResource(StorageXAResource.of(c));
        tx.enlistResource(h2.getXAResource());
        BankAccount debited = BankAccount.decode(c.read(accounts.get(from)).payload());
        BankAccount credited = BankAccount.decode(c.read(accounts.get(to)).payload());
        int amount = Math.min(wanted, debited.balance());
        if (amount == 0) {
            return 0;
        }
        c.write(accounts.get(from), debited.withdraw(amount, id).encode(), List.of());
        c.write(accounts.get(to), credited.deposit(amount, id).encode(), List.of());
        try (PreparedStatement insert = sql.prepareStatement("INSERT INTO ledger VALUES (?, ?, ?, ?)")) {
            insert.setLong(1, id);
            insert.setInt(2, from);
            insert.setInt(3, to);
            insert.setInt(4, amount);
            insert.executeUpdate();
        }
        return amount;
    }

    /** What Narayana's commit says: returned (committed, recovery finishes what failed), rolled back, or unknown. */
    private String commit() {
        try {
            tm.commit();
            return Transfer.COMMITTED;
        } catch (RollbackException e) {
            return Transfer.ROLLED_BACK;
        } catch (Exception e) {
            XaChild.say("unknown", e + " caused by " + e.getCause());
            e.printStackTrace(System.out);
            return "unknown-" + e.getClass().getSimpleName();
        }
    }

    private void rollbackQuietly() {
        try {
            if (tm.getTransaction() != null) {
                tm.rollback();
            }
        } catch (Exception e) {
            // Rolling back a transaction that prepared nothing: a failing resource keeps nothing either.
            XaChild.say("rollback-failed", e.toString());
        }
    }

    private static void closeQuietly(StorageConnection c) {
        try {
            c.close();
        } catch (RuntimeException e) {
            XaChild.say("close-failed", e.toString());
        }
    }
}
