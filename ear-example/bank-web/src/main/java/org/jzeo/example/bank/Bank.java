package org.jzeo.example.bank;

import jakarta.annotation.Resource;
import jakarta.ejb.EJBException;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;

/**
 * The bank's business methods. Each runs in one container-managed JTA transaction in which the jzeo connection and
 * the journal's XA datasource are both enlisted: the accounts change in jzeo and the movements are journaled in the
 * database, and the transaction manager commits both with two-phase commit, or neither.
 *
 * <p>The two resources are named references, bound per application server in {@code jboss-web.xml} (WildFly) and
 * {@code glassfish-web.xml} (Payara), so the code does not know either server's JNDI names.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class Bank {
    static final String STORAGE = "eis/jzeo";
    static final String JOURNAL = "jdbc/jzeo-bank";

    @Resource(name = STORAGE)
    private StorageConnectionFactory storage;

    @Resource(name = JOURNAL)
    private DataSource journal;

    /** Opens the accounts that do not exist yet with {@code balance} each; returns how many were opened. */
    public int open(List<String> names, long balance) {
        if (balance < 0) {
            throw new IllegalArgumentException("negative opening balance " + balance);
        }
        try (StorageConnection accounts = storage.getConnection(); Connection db = journal.getConnection()) {
            AccountIndex index = AccountIndex.read(accounts);
            int opened = 0;
            for (String name : names) {
                if (index.find(name).isEmpty()) {
                    Oid oid = accounts.newOid();
                    index.add(name, oid);
                    Balance.write(accounts, oid, balance);
                    Journal.record(db, name, balance, "opening");
                    opened++;
                }
            }
            if (opened > 0) {
                index.write(accounts);
            }
            return opened;
        } catch (SQLException e) {
            throw new EJBException("journal: " + e.getMessage(), e);
        }
    }

    /**
     * Moves {@code amount} from one account to another, in jzeo and in the journal.
     *
     * @param failAfterWrites throw {@link TransferAborted} once everything is written: the container rolls back
     *                        both resources
     */
    public void transfer(String from, String to, long amount, boolean failAfterWrites) {
        if (amount <= 0 || from.equals(to)) {
            throw new IllegalArgumentException("a transfer needs a positive amount and two accounts");
        }
        try (StorageConnection accounts = storage.getConnection(); Connection db = journal.getConnection()) {
            AccountIndex index = AccountIndex.read(accounts);
            Oid source = index.require(from);
            Oid target = index.require(to);
            long sourceBalance = Balance.read(accounts, source);
            if (sourceBalance < amount) {
                throw new InsufficientFunds(from, sourceBalance, amount);
            }
            Balance.write(accounts, source, sourceBalance - amount);
            Balance.write(accounts, target, Balance.read(accounts, target) + amount);
            String note = "transfer " + from + " -> " + to;
            Journal.record(db, from, -amount, note);
            Journal.record(db, to, amount, note);
            if (failAfterWrites) {
                throw new TransferAborted("transfer of " + amount + " from " + from + " to " + to
                        + " failed on request after writing to jzeo and the journal");
            }
        } catch (SQLException e) {
            throw new EJBException("journal: " + e.getMessage(), e);
        }
    }

    /** Every account's balance as jzeo holds it, all read at one snapshot (the transaction's). */
    public Map<String, Long> storedBalances() {
        try (StorageConnection accounts = storage.getConnection()) {
            Map<String, Long> balances = new TreeMap<>();
            AccountIndex.read(accounts).accounts().forEach((name, oid) ->
                    balances.put(name, Balance.read(accounts, oid)));
            return balances;
        }
    }

    /** Every account's balance as the sum of its journaled movements. */
    public Map<String, Long> journaledBalances() {
        try (Connection db = journal.getConnection()) {
            return Journal.balances(db);
        } catch (SQLException e) {
            throw new EJBException("journal: " + e.getMessage(), e);
        }
    }
}
