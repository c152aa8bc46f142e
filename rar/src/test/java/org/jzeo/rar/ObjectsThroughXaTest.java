package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.resource.spi.ConnectionManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jzeo.api.StorageConnectionFactory;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.Persistent;
import org.jzeo.objects.PersistentSortedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object layer as an EJB uses it through the adapter, with the XAResource driven as a transaction manager
 * does: the bean opens an object connection on the managed connection enlisted in the branch, changes objects and
 * closes it; the changes are written at XA end. A branch rolled back (after end TMSUCCESS as Payara does for
 * setRollbackOnly, after end TMFAIL as WildFly does, or after prepare) leaves the storage unchanged, and the next
 * branch on the same managed connection, whose object session kept the changed instances, sees the stored state.
 */
class ObjectsThroughXaTest {
    static final ObjectTypes TYPES = ObjectTypes.of(Account.class);

    /** An account: a persistent object holding its balance in cents. */
    static final class Account extends Persistent {
        long balance;

        Account() {
        }

        Account(long balance) {
            this.balance = balance;
        }
    }

    @TempDir
    Path dir;
    private ServerFixture fixture;
    private JzeoManagedConnection mc;
    private XAResource xa;
    private ObjectDatabase db;
    private int xids;

    @BeforeEach
    void start() throws Exception {
        fixture = new ServerFixture(dir);
        mc = fixture.newManagedConnection();
        xa = mc.getXAResource();
        // The container's pool reduced to one managed connection, always the one enlisted.
        ConnectionManager pool = (factory, info) -> mc.getConnection(null, info);
        db = ObjectDatabase.over((StorageConnectionFactory) fixture.factory.createConnectionFactory(pool), TYPES);
        Xid xid = begin();
        try (ObjectConnection objects = db.open()) {
            PersistentSortedMap<String, Account> accounts = new PersistentSortedMap<>();
            accounts.put("a", new Account(100));
            accounts.put("b", new Account(100));
            objects.root().put("accounts", accounts);
        }
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);
        xa.commit(xid, false);
    }

    @AfterEach
    void stop() throws Exception {
        mc.destroy();
        fixture.close();
    }

    @Test
    void changesMadeBeforeTheHandleClosedAreWrittenAtEndAndCommitted() throws Exception {
        Xid xid = begin();
        transfer(30);
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);
        xa.commit(xid, false);

        assertThat(balancesInBranch()).isEqualTo(Map.of("a", 70L, "b", 130L));
        assertThat(balancesElsewhere()).isEqualTo(Map.of("a", 70L, "b", 130L));
    }

    @Test
    void aRollbackAfterEndWithSuccessIsSeenByTheNextBranchOnTheSameConnection() throws Exception {
        Account a = accountsInBranch("a");
        Xid xid = begin();
        transfer(40);
        xa.end(xid, XAResource.TMSUCCESS); // Payara's setRollbackOnly: end with success, then rollback
        xa.rollback(xid);

        assertThat(balancesInBranch()).isEqualTo(Map.of("a", 100L, "b", 100L));
        assertThat(accountsInBranch("a")).as("refreshed in place").isSameAs(a);
        assertThat(balancesElsewhere()).isEqualTo(Map.of("a", 100L, "b", 100L));
    }

    @Test
    void aRollbackAfterEndWithFailureIsSeenByTheNextBranchOnTheSameConnection() throws Exception {
        Xid xid = begin();
        transfer(40);
        xa.end(xid, XAResource.TMFAIL); // WildFly's setRollbackOnly
        xa.rollback(xid);

        assertThat(balancesInBranch()).isEqualTo(Map.of("a", 100L, "b", 100L));
        assertThat(balancesElsewhere()).isEqualTo(Map.of("a", 100L, "b", 100L));
    }

    @Test
    void aRollbackAfterPrepareIsSeenByTheNextBranchOnTheSameConnection() throws Exception {
        Xid xid = begin();
        transfer(40);
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);
        xa.rollback(xid); // another resource voted no

        assertThat(balancesInBranch()).isEqualTo(Map.of("a", 100L, "b", 100L));
        assertThat(balancesElsewhere()).isEqualTo(Map.of("a", 100L, "b", 100L));
    }

    @Test
    void anAccountAddedInARolledBackBranchIsGoneInTheNext() throws Exception {
        Xid xid = begin();
        try (ObjectConnection objects = db.open()) {
            accounts(objects).put("c", new Account(5));
        }
        xa.end(xid, XAResource.TMSUCCESS);
        xa.rollback(xid);

        assertThat(balancesInBranch()).isEqualTo(Map.of("a", 100L, "b", 100L));
        assertThat(balancesElsewhere()).isEqualTo(Map.of("a", 100L, "b", 100L));
    }

    @Test
    void aBranchRolledBackAfterAnotherConnectionCommittedSeesTheOthersCommit() throws Exception {
        accountsInBranch("a"); // cached in this connection's session
        Xid xid = begin();
        transfer(40);
        xa.end(xid, XAResource.TMSUCCESS);
        transferElsewhere(10);
        xa.rollback(xid);

        assertThat(balancesInBranch()).isEqualTo(Map.of("a", 90L, "b", 110L));
    }

    private Xid begin() throws Exception {
        Xid xid = TestXid.of("objects", Integer.toString(++xids));
        xa.start(xid, XAResource.TMNOFLAGS);
        return xid;
    }

    /** A bean's unit of work: changes two accounts and closes its connection; the container ends the branch. */
    private void transfer(long amount) {
        try (ObjectConnection objects = db.open()) {
            PersistentSortedMap<String, Account> accounts = accounts(objects);
            accounts.get("a").balance -= amount;
            accounts.get("b").balance += amount;
        }
    }

    @SuppressWarnings("unchecked")
    private static PersistentSortedMap<String, Account> accounts(ObjectConnection objects) {
        return (PersistentSortedMap<String, Account>) objects.root().get("accounts");
    }

    private Account accountsInBranch(String name) throws Exception {
        Xid xid = begin();
        Account account;
        try (ObjectConnection objects = db.open()) {
            account = accounts(objects).get(name);
        }
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).as("read only").isEqualTo(XAResource.XA_RDONLY);
        return account;
    }

    /** The balances read in a new branch on the same managed connection (and its object session). */
    private Map<String, Long> balancesInBranch() throws Exception {
        Xid xid = begin();
        Map<String, Long> balances = new TreeMap<>();
        try (ObjectConnection objects = db.open()) {
            accounts(objects).forEach((name, account) -> balances.put(name, account.balance));
        }
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).as("reading wrote nothing").isEqualTo(XAResource.XA_RDONLY);
        return balances;
    }

    /** The balances read through another managed connection, in a local transaction. */
    private Map<String, Long> balancesElsewhere() throws Exception {
        JzeoManagedConnection other = fixture.newManagedConnection();
        try {
            ConnectionManager single = (factory, info) -> other.getConnection(null, info);
            ObjectDatabase elsewhere = ObjectDatabase.over(
                    (StorageConnectionFactory) fixture.factory.createConnectionFactory(single), TYPES);
            return elsewhere.call(objects -> {
                Map<String, Long> balances = new TreeMap<>();
                accounts(objects).forEach((name, account) -> balances.put(name, account.balance));
                return balances;
            });
        } finally {
            other.destroy();
        }
    }

    private void transferElsewhere(long amount) throws Exception {
        JzeoManagedConnection other = fixture.newManagedConnection();
        try {
            ConnectionManager single = (factory, info) -> other.getConnection(null, info);
            ObjectDatabase elsewhere = ObjectDatabase.over(
                    (StorageConnectionFactory) fixture.factory.createConnectionFactory(single), TYPES);
            elsewhere.run(objects -> {
                accounts(objects).get("a").balance -= amount;
                accounts(objects).get("b").balance += amount;
            });
        } finally {
            other.destroy();
        }
    }
}
