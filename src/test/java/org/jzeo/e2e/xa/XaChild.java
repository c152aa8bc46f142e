package org.jzeo.e2e.xa;

import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.ats.arjuna.common.recoveryPropertyManager;
import com.arjuna.ats.arjuna.recovery.RecoveryManager;
import com.arjuna.ats.arjuna.recovery.RecoveryModule;
import com.arjuna.ats.internal.jta.recovery.arjunacore.XARecoveryModule;
import com.arjuna.ats.jta.common.jtaPropertyManager;
import com.arjuna.ats.jta.recovery.XAResourceRecoveryHelper;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
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

/**
 * The transaction manager side of the crash tests, run in its own JVM by {@link Child}: Narayana with its object
 * store in the folder given, jzeo and (optionally) H2 as resources. It talks to the test through stdout lines
 * ({@code key value}) and waits for the test's go-ahead on stdin where the scenario needs the test to act (kill
 * the server, wait for a heuristic rollback).
 *
 * <p>Arguments: {@code scenario objectStoreDir server(host:port) h2Url|- oidHex payload}. Scenarios:
 * <ul>
 *   <li>{@code kill-server}: jzeo, H2 and a last resource whose prepare prints {@code prepared <gtrid>} and waits
 *       for {@code go} (the test kills the server meanwhile); then commits, prints {@code commit <outcome>}, waits
 *       for {@code recover} and runs recovery ({@code recovered <scans>}, {@code h2 <notes>}), through the server
 *       given after the payload if there is one (another server of a PostgreSQL cluster).</li>
 *   <li>{@code halt}: jzeo and H2, both prepared and logged; the first commit call halts the JVM (exit 3).</li>
 *   <li>{@code recover}: recovery only, with this object store (after {@code halt}).</li>
 *   <li>{@code heuristic}: a resource that commits first, jzeo, and a last resource whose prepare prints
 *       {@code prepared <gtrid>} and waits for {@code go}; then commits and prints {@code commit <outcome>}.</li>
 *   <li>{@code heuristic-jzeo-first}: the same without the first resource: jzeo is the first to commit.</li>
 * </ul>
 */
public final class XaChild {
    /** Starts this main class in its own JVM with {@code args}; its stderr (Narayana's log) goes to {@code stderr}. */
    static org.jzeo.e2e.ChildJvm start(java.nio.file.Path stderr, String... args) throws java.io.IOException {
        return org.jzeo.e2e.ChildJvm.start(XaChild.class, stderr, java.util.List.of(args), "192m", line -> true,
                FAILED);
    }

    static final String FAILED = "failed ";
    static final int HALT_STATUS = 3;
    private static final PrintStream OUT = System.out;
    private static final BufferedReader IN =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    private XaChild() {
    }

    public static void main(String[] args) {
        try {
            String scenario = args[0];
            configureNarayana(args[1]);
            String server = args[2];
            JdbcDataSource h2 = null;
            if (!args[3].equals("-")) {
                h2 = new JdbcDataSource();
                h2.setURL(args[3]);
            }
            switch (scenario) {
                case "kill-server" -> killServer(server, args.length > 6 ? args[6] : server, h2, Oid.fromHex(args[4]),
                        args[5]);
                case "halt" -> halt(server, h2, Oid.fromHex(args[4]), args[5]);
                case "recover" -> recover(server, h2);
                case "heuristic" -> heuristic(server, Oid.fromHex(args[4]), args[5], true);
                case "heuristic-jzeo-first" -> heuristic(server, Oid.fromHex(args[4]), args[5], false);
                default -> throw new IllegalArgumentException("scenario " + scenario);
            }
            say("done", "");
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace(OUT);
            say(FAILED.trim(), e.toString());
            System.exit(2);
        }
    }

    /**
     * APPSERVERS.md "Narayana standalone": its own object store, a short recovery backoff, no recovery listener,
     * the AtomicAction and XA recovery modules, every node's xids. Before any other use of Narayana.
     */
    static void configureNarayana(String objectStore) throws Exception {
        for (String key : List.of("ObjectStoreEnvironmentBean.objectStoreDir",
                "com.arjuna.ats.arjuna.objectstore.objectStoreDir",
                "ObjectStoreEnvironmentBean.communicationStore.objectStoreDir",
                "ObjectStoreEnvironmentBean.stateStore.objectStoreDir")) {
            System.setProperty(key, objectStore);
        }
        arjPropertyManager.getObjectStoreEnvironmentBean().setObjectStoreDir(objectStore);
        arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier("jzeo-xa-test");
        var recovery = recoveryPropertyManager.getRecoveryEnvironmentBean();
        recovery.setRecoveryBackoffPeriod(1);
        recovery.setPeriodicRecoveryPeriod(3600);
        recovery.setRecoveryListener(false);
        recovery.setRecoveryModuleClassNames(List.of(
                "com.arjuna.ats.internal.arjuna.recovery.AtomicActionRecoveryModule",
                "com.arjuna.ats.internal.jta.recovery.arjunacore.XARecoveryModule"));
        recovery.setExpiryScannerClassNames(List.of());
        var jta = jtaPropertyManager.getJTAEnvironmentBean();
        jta.setXaRecoveryNodes(List.of("*"));
        // Narayana would pass its transaction timeout (60 s) to the resources, and the server's heuristic
        // timeout is never below a branch's own timeout: the heuristic test wants the server's 1 s.
        jta.setXaTransactionTimeoutEnabled(false);
    }

    private static ClientConnectionFactory factory(String server) {
        return new ClientConnectionFactory(ClientOptions.of(server)
                .withDisconnectPoll(Duration.ofMillis(100), Duration.ofMillis(500))
                .withWait(true, Duration.ofSeconds(30)));
    }

    private static void killServer(String server, String recoveryServer, JdbcDataSource h2, Oid oid, String payload)
            throws Exception {
        createTable(h2);
        TransactionManager tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
        try (ClientConnectionFactory factory = factory(server); StorageConnection c = factory.getConnection()) {
            XAConnection sql = h2.getXAConnection();
            tm.begin();
            Transaction tx = tm.getTransaction();
            tx.enlistResource(new Reporting("jzeo", StorageXAResource.of(c), false));
            tx.enlistResource(sql.getXAResource());
            tx.enlistResource(new WaitsAtPrepare(XAResource.XA_RDONLY));
            c.write(oid, payload.getBytes(StandardCharsets.UTF_8), List.of());
            insert(sql.getConnection(), 1, payload);
            say("commit", commit(tm));
            closeQuietly(sql);
            awaitLine("recover");
            say("recovered", Integer.toString(recoverUntilDone(recoveryServer, h2)));
            say("h2", String.join(",", notes(h2)));
        }
    }

    private static void halt(String server, JdbcDataSource h2, Oid oid, String payload) throws Exception {
        createTable(h2);
        TransactionManager tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
        ClientConnectionFactory factory = factory(server);
        StorageConnection c = factory.getConnection();
        XAConnection sql = h2.getXAConnection();
        tm.begin();
        Transaction tx = tm.getTransaction();
        tx.enlistResource(new Reporting("jzeo", StorageXAResource.of(c), true));
        tx.enlistResource(new Reporting("h2", sql.getXAResource(), true));
        c.write(oid, payload.getBytes(StandardCharsets.UTF_8), List.of());
        insert(sql.getConnection(), 1, payload);
        say("commit", commit(tm));
        throw new AssertionError("the commit should have halted this JVM");
    }

    private static void recover(String server, JdbcDataSource h2) throws Exception {
        say("recovered", Integer.toString(recoverUntilDone(server, h2)));
        say("h2", String.join(",", notes(h2)));
    }

    private static void heuristic(String server, Oid oid, String payload, boolean otherFirst) throws Exception {
        TransactionManager tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
        try (ClientConnectionFactory factory = factory(server); StorageConnection c = factory.getConnection()) {
            tm.begin();
            Transaction tx = tm.getTransaction();
            if (otherFirst) {
                tx.enlistResource(new CommitsFirst());
            }
            tx.enlistResource(new Reporting("jzeo", StorageXAResource.of(c), false));
            tx.enlistResource(new WaitsAtPrepare(XAResource.XA_OK));
            c.write(oid, payload.getBytes(StandardCharsets.UTF_8), List.of());
            say("commit", commit(tm));
        }
    }

    /** "ok", or the exception's class name. */
    private static String commit(TransactionManager tm) {
        try {
            tm.commit();
            return "ok";
        } catch (Exception e) {
            e.printStackTrace(OUT);
            return e.getClass().getName();
        }
    }

    /**
     * Narayana's recovery in DIRECT_MANAGEMENT: a helper gives a StorageXAResource of a fresh client connection (and
     * H2's XAResource); scans until no jzeo branch is left prepared (at most 5 scans). Returns the scans it took.
     */
    private static int recoverUntilDone(String server, JdbcDataSource h2) throws Exception {
        try (ClientConnectionFactory fresh = factory(server); StorageConnection c = fresh.getConnection()) {
            List<XAConnection> sqls = new ArrayList<>();
            XAResourceRecoveryHelper helper = new XAResourceRecoveryHelper() {
                @Override
                public boolean initialise(String p) {
                    return true;
                }

                @Override
                public XAResource[] getXAResources() throws Exception {
                    List<XAResource> resources = new ArrayList<>(List.of(StorageXAResource.of(c)));
                    if (h2 != null) {
                        XAConnection sql = h2.getXAConnection();
                        sqls.add(sql);
                        resources.add(sql.getXAResource());
                    }
                    return resources.toArray(new XAResource[0]);
                }
            };
            RecoveryManager manager = RecoveryManager.manager(RecoveryManager.DIRECT_MANAGEMENT);
            XARecoveryModule xaModule = null;
            for (RecoveryModule m : manager.getModules()) {
                if (m instanceof XARecoveryModule x) {
                    xaModule = x;
                }
            }
            if (xaModule == null) {
                throw new IllegalStateException("no XARecoveryModule among " + manager.getModules());
            }
            xaModule.addXAResourceRecoveryHelper(helper);
            try {
                for (int scans = 1; scans <= 5; scans++) {
                    manager.scan();
                    if (fresh.storage().recoverPrepared().isEmpty() && inDoubt(h2) == 0) {
                        return scans;
                    }
                }
                throw new AssertionError("still prepared after 5 recovery scans: "
                        + fresh.storage().recoverPrepared() + "; H2 in doubt: " + inDoubt(h2));
            } finally {
                xaModule.removeXAResourceRecoveryHelper(helper);
                manager.terminate();
                sqls.forEach(XaChild::closeQuietly);
            }
        }
    }

    private static int inDoubt(JdbcDataSource h2) throws Exception {
        if (h2 == null) {
            return 0;
        }
        XAConnection sql = h2.getXAConnection();
        try {
            return sql.getXAResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN).length;
        } finally {
            closeQuietly(sql);
        }
    }

    private static void createTable(JdbcDataSource h2) throws Exception {
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS transfer (id INT PRIMARY KEY, note VARCHAR(100))");
        }
    }

    private static void insert(Connection sql, int id, String note) throws Exception {
        try (Statement s = sql.createStatement()) {
            s.executeUpdate("INSERT INTO transfer VALUES (" + id + ", '" + note + "')");
        }
    }

    static List<String> notes(JdbcDataSource h2) throws Exception {
        List<String> notes = new ArrayList<>();
        if (h2 == null) {
            return notes;
        }
        try (Connection c = h2.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT note FROM transfer ORDER BY id")) {
            while (rows.next()) {
                notes.add(rows.getString(1));
            }
        }
        return notes;
    }

    private static void closeQuietly(XAConnection sql) {
        try {
            sql.close();
        } catch (Exception e) {
            OUT.println("closing an H2 XA connection: " + e);
        }
    }

    static void say(String key, String value) {
        OUT.println(key + " " + value);
        OUT.flush();
    }

    private static void awaitLine(String expected) throws Exception {
        String line = IN.readLine();
        if (!expected.equals(line)) {
            throw new IllegalStateException("expected \"" + expected + "\" from the test, got " + line);
        }
    }

    static String gtrid(Xid xid) {
        return HexFormat.of().formatHex(xid.getGlobalTransactionId());
    }

    /**
     * A resource enlisted after jzeo: at its prepare (so after jzeo's) it tells the test {@code prepared <gtrid>}
     * and waits for {@code go}, then votes {@code vote}.
     */
    private static final class WaitsAtPrepare extends NoOpXAResource {
        private final int vote;

        WaitsAtPrepare(int vote) {
            this.vote = vote;
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            say("prepared", gtrid(xid));
            try {
                awaitLine("go");
            } catch (Exception e) {
                throw (XAException) new XAException(XAException.XAER_RMFAIL).initCause(e);
            }
            return vote;
        }
    }

    /**
     * A resource that prints {@code <name>-prepare <vote or XA code>}, {@code <name>-commit <ok or XA code>} and
 * {@code <name>-forget <ok or XA code>};
     * with {@code halt}, its commit halts this JVM (status {@link #HALT_STATUS}) before it reaches the resource.
     */
    private static final class Reporting implements XAResource {
        private final String name;
        private final XAResource delegate;
        private final boolean halt;

        Reporting(String name, XAResource delegate, boolean halt) {
            this.name = name;
            this.delegate = delegate;
            this.halt = halt;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            if (halt) {
                say("halting", name + " " + gtrid(xid) + " onePhase=" + onePhase);
                Runtime.getRuntime().halt(HALT_STATUS);
            }
            try {
                delegate.commit(xid, onePhase);
                say(name + "-commit", "ok");
            } catch (XAException e) {
                say(name + "-commit", XaCodes.name(e.errorCode));
                throw e;
            }
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            delegate.start(xid, flags);
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            delegate.end(xid, flags);
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            try {
                int vote = delegate.prepare(xid);
                say(name + "-prepare", XaCodes.name(vote));
                return vote;
            } catch (XAException e) {
                say(name + "-prepare", XaCodes.name(e.errorCode));
                throw e;
            }
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            delegate.rollback(xid);
        }

        @Override
        public void forget(Xid xid) throws XAException {
            try {
                delegate.forget(xid);
                say(name + "-forget", "ok");
            } catch (XAException e) {
                say(name + "-forget", XaCodes.name(e.errorCode));
                throw e;
            }
        }

        @Override
        public Xid[] recover(int flag) throws XAException {
            return delegate.recover(flag);
        }

        @Override
        public boolean isSameRM(XAResource other) throws XAException {
            return other instanceof Reporting r ? delegate.isSameRM(r.delegate) : delegate.isSameRM(other);
        }

        @Override
        public int getTransactionTimeout() throws XAException {
            return delegate.getTransactionTimeout();
        }

        @Override
        public boolean setTransactionTimeout(int seconds) throws XAException {
            return delegate.setTransactionTimeout(seconds);
        }
    }

    /** Votes OK and commits (nothing) before the other resources, printing {@code first-commit ok}. */
    private static final class CommitsFirst extends NoOpXAResource {
        @Override
        public int prepare(Xid xid) {
            return XA_OK;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) {
            say("first-commit", "ok");
        }

        @Override
        public void rollback(Xid xid) {
            say("first-rollback", "ok");
        }
    }
}
