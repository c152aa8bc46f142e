package org.jzeo.e2e.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.h2.jdbcx.JdbcDataSource;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.client.StorageXAResource;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jzeo and an H2 XA datasource in one Narayana transaction (xa-mapping spec, first test): they commit together,
 * and either one failing to prepare rolls back both.
 */
class XaTwoResourcesTest {
    @TempDir
    Path dir;
    private RunningServer server;
    private ClientConnectionFactory factory;
    private JdbcDataSource h2;
    private TransactionManager tm;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir.resolve("Data.fs"));
        factory = new ClientConnectionFactory(ClientOptions.of("127.0.0.1:" + TestServers.address(server).getPort()));
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:" + dir.resolve("bank").toAbsolutePath());
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE transfer (id INT PRIMARY KEY, note VARCHAR(100))");
        }
        tm = Narayana.transactionManager();
    }

    @AfterEach
    void stop() throws Exception {
        if (tm.getTransaction() != null) {
            tm.rollback();
        }
        factory.close();
        server.close();
    }

    @Test
    void jzeoAndTheDatabaseCommitTogether() throws Exception {
        Oid account;
        try (StorageConnection c = factory.getConnection()) {
            account = newAccount(c, "100");
        }
        XAConnection sql = h2.getXAConnection();
        try (StorageConnection c = factory.getConnection()) {
            tm.begin();
            Transaction tx = tm.getTransaction();
            tx.enlistResource(StorageXAResource.of(c));
            tx.enlistResource(sql.getXAResource());
            c.write(account, text("70"), List.of());
            insert(sql.getConnection(), 1, "paid 30");
            tm.commit();
        } finally {
            sql.close();
        }
        assertThat(balance(account)).isEqualTo("70");
        assertThat(notes()).containsExactly("paid 30");
    }

    @Test
    void aConflictInJzeoAtPrepareRollsBackTheDatabaseToo() throws Exception {
        Oid account;
        try (StorageConnection c = factory.getConnection()) {
            account = newAccount(c, "100");
        }
        XAConnection sql = h2.getXAConnection();
        try (StorageConnection c = factory.getConnection();
             StorageConnection other = factory.getConnection()) {
            tm.begin();
            Transaction tx = tm.getTransaction();
            tx.enlistResource(StorageXAResource.of(c));
            tx.enlistResource(sql.getXAResource());
            assertThat(new String(c.read(account).payload(), StandardCharsets.UTF_8)).isEqualTo("100");
            other.begin();
            other.write(account, text("1"), List.of());
            other.commit();
            // The branch read "100" at its snapshot; its write is checked at prepare and conflicts there (the
            // client may refuse the write at once, since it already knows of the other commit).
            try {
                c.write(account, text("70"), List.of());
            } catch (org.jzeo.api.ConflictException e) {
                tm.setRollbackOnly();
            }
            insert(sql.getConnection(), 1, "paid 30");
            assertThatThrownBy(tm::commit).isInstanceOf(RollbackException.class);
        } finally {
            sql.close();
        }
        assertThat(balance(account)).isEqualTo("1");
        assertThat(notes()).as("the database rolled back with jzeo").isEmpty();
    }

    @Test
    void aResourceFailingToPrepareRollsBackJzeo() throws Exception {
        Oid account;
        try (StorageConnection c = factory.getConnection()) {
            account = newAccount(c, "100");
        }
        try (StorageConnection c = factory.getConnection()) {
            tm.begin();
            Transaction tx = tm.getTransaction();
            tx.enlistResource(StorageXAResource.of(c));
            tx.enlistResource(new RefusingToPrepare());
            c.write(account, text("70"), List.of());
            assertThatThrownBy(tm::commit).isInstanceOf(RollbackException.class);
        }
        assertThat(balance(account)).isEqualTo("100");
        try (StorageConnection c = factory.getConnection()) {
            c.begin();
            c.write(account, text("90"), List.of());
            c.commit();
        }
        assertThat(balance(account)).as("the rolled back branch released its locks").isEqualTo("90");
        assertThat(factory.storage().recoverPrepared()).as("nothing left prepared").isEmpty();
    }

    @Test
    void aSingleResourceCommitsInOnePhase() throws Exception {
        Oid account;
        try (StorageConnection c = factory.getConnection()) {
            account = newAccount(c, "100");
            tm.begin();
            tm.getTransaction().enlistResource(StorageXAResource.of(c));
            c.write(account, text("55"), List.of());
            tm.commit();
        }
        assertThat(balance(account)).isEqualTo("55");
    }

    @Test
    void aRollbackOnlyTransactionWritesNothing() throws Exception {
        Oid account;
        try (StorageConnection c = factory.getConnection()) {
            account = newAccount(c, "100");
            tm.begin();
            tm.getTransaction().enlistResource(StorageXAResource.of(c));
            c.write(account, text("0"), List.of());
            tm.setRollbackOnly();
            assertThatThrownBy(tm::commit).isInstanceOf(RollbackException.class);
        }
        assertThat(balance(account)).isEqualTo("100");
    }

    private static Oid newAccount(StorageConnection c, String balance) {
        c.begin();
        Oid oid = c.newOid();
        c.write(oid, text(balance), List.of());
        c.write(c.rootOid(), text("root"), List.of(oid));
        c.commit();
        return oid;
    }

    private String balance(Oid account) {
        try (StorageConnection c = factory.getConnection()) {
            return new String(c.read(account).payload(), StandardCharsets.UTF_8);
        }
    }

    private List<String> notes() throws SQLException {
        try (Connection c = h2.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT note FROM transfer ORDER BY id")) {
            List<String> notes = new java.util.ArrayList<>();
            while (rows.next()) {
                notes.add(rows.getString(1));
            }
            return notes;
        }
    }

    private static void insert(Connection sql, int id, String note) throws SQLException {
        try (Statement s = sql.createStatement()) {
            s.executeUpdate("INSERT INTO transfer VALUES (" + id + ", '" + note + "')");
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A second resource manager that votes no, as a database that cannot commit would. */
    private static final class RefusingToPrepare extends NoOpXAResource {
        @Override
        public int prepare(Xid xid) throws XAException {
            throw new XAException(XAException.XA_RBINTEGRITY);
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            throw new XAException(XAException.XAER_PROTO);
        }
    }
}
