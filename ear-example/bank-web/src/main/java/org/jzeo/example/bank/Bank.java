package org.jzeo.example.bank;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.EJBException;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jzeo.api.StorageConnectionFactory;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.PersistentSortedMap;

/**
 * The bank's business methods. Each runs in one container-managed JTA transaction in which the jzeo connection and
 * the journal's XA datasource are both enlisted: the accounts change in jzeo and the movements are journaled in the
 * database, and the transaction manager commits both with two-phase commit, or neither.
 *
 * <p>The accounts are persistent objects ({@link Account}) in a sorted map under the root ({@link Accounts}). A
 * method changes them as plain Java objects and closes its connection; the object layer writes the changed objects
 * into the transaction when the container ends it, and a rollback leaves them as stored. The objects stay cached
 * with the pooled connection between transactions.
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

    private ObjectDatabase objects;

    /**
     * The object database over the injected factory. Cheap, and every bean instance's is alike: a pooled connection
     * keeps its cached objects for whichever instance uses it next.
     */
    @PostConstruct
    void openObjectDatabase() {
        objects = ObjectDatabase.over(storage, Accounts.TYPES);
    }

    /** Opens the accounts that do not exist yet with {@code balance} each; returns how many were opened. */
    public int open(List<String> names, long balance) {
        if (balance < 0) {
            throw new IllegalArgumentException("negative opening balance " + balance);
        }
        try (ObjectConnection connection = objects.open(); Connection db = journal.getConnection()) {
            PersistentSortedMap<String, Account> accounts = Accounts.orCreate(connection);
            int opened = 0;
            for (String name : names) {
                if (!accounts.containsKey(name)) {
                    if (name.isEmpty() || name.contains("=") || name.contains("\n")) {
                        // the balances endpoint answers name=balance lines
                        throw new IllegalArgumentException("account names may not be empty or contain '=' or a"
                                + " line break: " + name);
                    }
                    accounts.put(name, new Account(name, balance));
                    Journal.record(db, name, balance, "opening");
                    opened++;
                }
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
        try (ObjectConnection connection = objects.open(); Connection db = journal.getConnection()) {
            SortedMap<String, Account> accounts = Accounts.stored(connection);
            Account source = require(accounts, from);
            Account target = require(accounts, to);
            if (source.balance() < amount) {
                throw new InsufficientFunds(from, source.balance(), amount);
            }
            source.add(-amount);
            target.add(amount);
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

    private static Account require(SortedMap<String, Account> accounts, String name) {
        Account account = accounts.get(name);
        if (account == null) {
            throw new UnknownAccount(name);
        }
        return account;
    }

    /** Every account's balance as jzeo holds it, all read at one snapshot (the transaction's). */
    public Map<String, Long> storedBalances() {
        try (ObjectConnection connection = objects.open()) {
            Map<String, Long> balances = new TreeMap<>();
            Accounts.stored(connection).forEach((name, account) -> balances.put(name, account.balance()));
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
