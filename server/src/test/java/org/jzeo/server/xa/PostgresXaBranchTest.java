package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.server.xa.XaCalls.commit;
import static org.jzeo.server.xa.XaCalls.prepare;
import static org.jzeo.server.xa.XaCalls.recover;
import static org.jzeo.server.xa.XaCalls.rollback;
import static org.jzeo.server.xa.XaCalls.text;
import static org.jzeo.server.xa.XaCalls.xaError;
import static org.jzeo.server.xa.XaCalls.xid;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.transaction.xa.XAException;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.config.LogConfig;
import org.jzeo.server.config.PostgresStorageConfig;
import org.jzeo.server.config.ServerConfig;
import org.jzeo.server.config.ZeoConfig;
import org.jzeo.server.storage.pg.PostgresDsn;
import org.jzeo.server.storage.pg.PostgresTestServer;
import org.jzeo.server.testclient.Callback;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.Test;

/**
 * XA branches of a PostgreSQL storage through two servers over one database: they are PostgreSQL prepared
 * transactions, so a branch prepared through one server is listed, locked, committed or rolled back through the
 * other; a commit whose apply was cut short (the committing server died after COMMIT PREPARED) keeps its objects
 * locked until a server applies it: at start, at xa_recover, at a repeated commit, or by its periodic sweep.
 */
class PostgresXaBranchTest {
    private static final Duration LOCK_WAIT = Duration.ofSeconds(1);

    private static RunningServer serve(PostgresTestServer pg, String db) throws InterruptedException {
        ZeoConfig zeo = ZeoConfig.defaults().withAddress(new ListenAddress.Tcp("127.0.0.1", 0)).withLockWait(LOCK_WAIT);
        PostgresStorageConfig storage = new PostgresStorageConfig("1", PostgresDsn.parse(pg.dsn(db)), false, true,
                true, 4, Optional.empty(), Duration.ofMillis(200));
        return RunningServer.start(new ServerConfig(zeo, List.of(storage), LogConfig.defaults()));
    }

    private static ZeoTestClient connect(RunningServer server) throws java.io.IOException {
        return XaCalls.connect(TestServers.address(server));
    }

    /** The next invalidation {@code client} receives (other callbacks skipped). */
    private static Callback nextInvalidation(ZeoTestClient client) {
        Callback c;
        do {
            c = client.nextCallback(Duration.ofSeconds(15));
        } while (c != null && !c.name().equals(Callback.INVALIDATE_TRANSACTION));
        return c;
    }

    /** Waits until {@code client}'s server has announced {@code tid} to it (then its reads show it). */
    private static void awaitAnnounced(ZeoTestClient client, Tid tid) {
        Callback c = nextInvalidation(client);
        while (c != null && c.invalidatedTid().isBefore(tid)) {
            c = nextInvalidation(client);
        }
        assertThat(c).as("the announcement of %s", tid).isNotNull();
    }

    private static long sqlLong(PostgresTestServer pg, String db, String query) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static void sql(PostgresTestServer pg, String db, String command) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute(command);
        }
    }

    @Test
    void aBranchPreparedThroughOneServerIsLockedListedAndCommittedThroughAnother() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        WireXid xid = xid("across", 1);
        try (RunningServer a = serve(pg, db); RunningServer b = serve(pg, db);
             ZeoTestClient setupA = connect(a); ZeoTestClient xaA = connect(a);
             ZeoTestClient onB = connect(b); ZeoTestClient watcherB = connect(b)) {
            assertThat(onB.getInfo()).as("XA is advertised for a PostgreSQL storage")
                    .containsEntry(XaWire.INFO_KEY, List.of(XaWire.EXTENSION));
            Oid x = setupA.newOids(1).get(0);
            Oid z = setupA.newOids(1).get(0);
            Tid created = setupA.commit(1, Map.of(x, text("x0"), z, text("z0")), Map.of());
            assertThat(nextInvalidation(watcherB).invalidatedTid()).isEqualTo(created);

            assertThat(prepare(xaA, 2, xid, x, created, "x by XA")).isEqualTo(List.of());
            assertThat(sqlLong(pg, db, "SELECT count(*) FROM pg_prepared_xacts WHERE gid = '"
                    + XidGids.gid(xid) + "'")).as("a PostgreSQL prepared transaction").isEqualTo(1);
            xaA.close(); // the branch does not belong to the connection that prepared it
            assertThat(recover(onB)).containsExactly(xid);

            // Its object is locked through the other server too; other objects are not.
            long started = System.nanoTime();
            assertThatThrownBy(() -> onB.commit(3, Map.of(x, text("x by B")), Map.of(x, created)))
                    .isInstanceOf(ConflictException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited for the lock")
                    .isGreaterThanOrEqualTo(LOCK_WAIT.minusMillis(50));
            assertThatThrownBy(() -> setupA.commit(31, Map.of(x, text("x by A")), Map.of(x, created)))
                    .as("and through the server that prepared it").isInstanceOf(ConflictException.class);
            Tid zChanged = onB.commit(4, Map.of(z, text("z1")), Map.of(z, created));
            assertThat(xaError(() -> prepare(onB, 5, xid("other", 1), x, created, "x again")))
                    .isEqualTo(XAException.XA_RBDEADLOCK);
            assertThat(nextInvalidation(watcherB).invalidatedTid()).isEqualTo(zChanged);

            XaCalls.Commit done = commit(onB, xid);
            assertThat(done.oids()).containsExactly(x);
            assertThat(done.tid().isAfter(zChanged)).as("the tid is chosen at commit, not at prepare").isTrue();
            // Repeated through either server (a lost reply): the same answer.
            assertThat(commit(setupA, xid)).isEqualTo(done);
            assertThat(commit(onB, xid)).isEqualTo(done);
            assertThat(recover(setupA)).isEmpty();
            assertThat(recover(onB)).isEmpty();

            // Both servers announce it and read it.
            Callback onA = nextInvalidation(setupA);
            while (onA != null && !onA.invalidatedTid().equals(done.tid())) {
                onA = nextInvalidation(setupA);
            }
            assertThat(onA).as("server A announces the commit made through B").isNotNull();
            assertThat(onA.invalidatedOids()).containsExactly(x);
            Callback seen = nextInvalidation(watcherB);
            assertThat(seen.invalidatedTid()).isEqualTo(done.tid());
            assertThat(seen.invalidatedOids()).containsExactly(x);
            assertThat(text(setupA.loadBefore(x, Tid.MAX).data())).isEqualTo("x by XA");
            assertThat(setupA.loadBefore(x, Tid.MAX).start()).isEqualTo(done.tid());
            assertThat(text(watcherB.loadBefore(x, Tid.MAX).data())).isEqualTo("x by XA");
            assertThat(sqlLong(pg, db, "SELECT count(*) FROM xa_branch")).as("branch rows applied").isZero();

            // The object is free again, through both servers.
            Tid after = onB.commit(6, Map.of(x, text("x by B")), Map.of(x, done.tid()));
            awaitAnnounced(setupA, after);
            assertThat(text(setupA.loadBefore(x, Tid.MAX).data())).isEqualTo("x by B");
            assertThat(after.isAfter(done.tid())).isTrue();
            // A prepare of a completed xid again is a duplicate.
            assertThat(xaError(() -> prepare(onB, 7, xid, x, after, "again"))).isEqualTo(XAException.XAER_DUPID);
        }
    }

    @Test
    void aBranchIsRolledBackThroughAnotherServer() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        WireXid xid = xid("undo", 1);
        try (RunningServer a = serve(pg, db); RunningServer b = serve(pg, db);
             ZeoTestClient onA = connect(a); ZeoTestClient onB = connect(b)) {
            Oid x = onA.newOids(1).get(0);
            Oid fresh = onA.newOids(1).get(0);
            Tid created = onA.commit(1, Map.of(x, text("x0")), Map.of());
            prepare(onA, 2, xid, Map.of(x, text("x by XA"), fresh, text("new")), Map.of(x, created), 0);

            rollback(onB, xid);
            assertThat(recover(onA)).isEmpty();
            rollback(onA, xid); // repeated: fine
            assertThat(xaError(() -> commit(onA, xid))).isEqualTo(XAException.XA_RBROLLBACK);
            assertThat(xaError(() -> rollback(onB, xid("never", 1)))).isEqualTo(XAException.XAER_NOTA);
            assertThat(xaError(() -> commit(onB, xid("never", 1)))).isEqualTo(XAException.XAER_NOTA);

            Tid after = onB.commit(3, Map.of(x, text("x by B")), Map.of(x, created));
            awaitAnnounced(onA, after);
            assertThat(text(onA.loadBefore(x, Tid.MAX).data())).isEqualTo("x by B");
            assertThat(after.isAfter(created)).isTrue();
            assertThat(sqlLong(pg, db, "SELECT count(*) FROM current_object WHERE zoid = " + fresh.value()))
                    .as("the new object's row went with the rollback").isZero();
        }
    }

    /**
     * The committing server dies between COMMIT PREPARED and the apply (done here by COMMIT PREPARED from outside):
     * the branch's objects stay locked (its row locks are gone), xa_recover through another server applies it, and
     * a repeated commit is answered with the applied tid.
     */
    @Test
    void aCommitCutShortKeepsItsObjectsLockedUntilRecoverAppliesIt() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        WireXid xid = xid("cut", 1);
        try (RunningServer a = serve(pg, db); RunningServer b = serve(pg, db);
             ZeoTestClient onA = connect(a); ZeoTestClient onB = connect(b)) {
            Oid x = onA.newOids(1).get(0);
            Oid y = onA.newOids(1).get(0);
            Tid created = onA.commit(1, Map.of(x, text("x0"), y, text("y0")), Map.of());
            // y is only checked (readCurrent): it must stay unchanged until the branch is applied too.
            onA.send("tpc_begin", 2L, XaCalls.EMPTY, XaCalls.EMPTY, Map.of(), null, " ");
            onA.send("storea", x, created, text("x by XA"), 2L);
            onA.send("checkCurrentSerialInTransaction", y, created, 2L);
            onA.call(XaWire.VOTE, 2L, XaWire.encode(xid), 0L);

            sql(pg, db, "COMMIT PREPARED '" + XidGids.gid(xid) + "'");
            assertThat(recoverWithoutApplying(pg, db)).as("no longer prepared").isZero();

            for (Oid held : List.of(x, y)) {
                long started = System.nanoTime();
                assertThatThrownBy(() -> onB.commit(3, Map.of(held, text("by B")), Map.of(held, created)))
                        .as("oid %s of a committed branch not yet applied", held)
                        .isInstanceOf(ConflictException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(
                        LOCK_WAIT.minusMillis(50));
            }

            assertThat(recover(onB)).isEmpty();
            assertThat(sqlLong(pg, db, "SELECT count(*) FROM xa_branch")).as("applied by recover").isZero();
            assertThat(text(onB.loadBefore(x, Tid.MAX).data())).isEqualTo("x by XA");
            Tid applied = onB.loadBefore(x, Tid.MAX).start();
            assertThat(commit(onA, xid).tid()).as("the commit repeated by the transaction manager").isEqualTo(applied);
            assertThat(text(onA.loadBefore(x, Tid.MAX).data())).isEqualTo("x by XA");
            assertThat(onB.commit(4, Map.of(y, text("y by B")), Map.of(y, created))).isNotNull();
        }
    }

    @Test
    void aRepeatedCommitAppliesACommitCutShort() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        WireXid xid = xid("repeat", 1);
        try (RunningServer a = serve(pg, db); RunningServer b = serve(pg, db);
             ZeoTestClient onA = connect(a); ZeoTestClient onB = connect(b)) {
            Oid x = onA.newOids(1).get(0);
            prepare(onA, 1, xid, x, Tid.ZERO, "x by XA");
            sql(pg, db, "COMMIT PREPARED '" + XidGids.gid(xid) + "'");

            XaCalls.Commit done = commit(onB, xid);
            assertThat(done.oids()).containsExactly(x);
            assertThat(sqlLong(pg, db, "SELECT count(*) FROM xa_branch")).as("applied by the commit").isZero();
            assertThat(text(onB.loadBefore(x, Tid.MAX).data())).isEqualTo("x by XA");
            assertThat(onB.loadBefore(x, Tid.MAX).start()).isEqualTo(done.tid());
            assertThat(commit(onA, xid)).isEqualTo(done);
        }
    }

    /** Both servers told to commit at once (a transaction manager retrying through another): one tid, applied once. */
    @Test
    void commitsThroughBothServersAtOnceApplyTheBranchOnce() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        try (RunningServer a = serve(pg, db); RunningServer b = serve(pg, db);
             ZeoTestClient onA = connect(a); ZeoTestClient onB = connect(b)) {
            for (int round = 0; round < 5; round++) {
                WireXid xid = xid("twice", round);
                Oid x = onA.newOids(1).get(0);
                prepare(onA, 10 + round, xid, x, Tid.ZERO, "x" + round);
                var viaA = onA.callAsyncReply(XaWire.COMMIT, XaWire.encode(xid));
                var viaB = onB.callAsyncReply(XaWire.COMMIT, XaWire.encode(xid));
                Object answerA = viaA.get(30, java.util.concurrent.TimeUnit.SECONDS);
                Object answerB = viaB.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(((List<?>) answerA).get(0)).isEqualTo(((List<?>) answerB).get(0));
                assertThat(sqlLong(pg, db, "SELECT count(*) FROM object_state WHERE zoid = " + x.value()))
                        .as("applied once").isEqualTo(1);
            }
            assertThat(sqlLong(pg, db, "SELECT count(*) FROM xa_branch")).isZero();
        }
    }

    /** No start, recover or commit comes: a running server applies the commit cut short within seconds. */
    @Test
    void aRunningServerAppliesACommitCutShortBeforeLong() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        WireXid xid = xid("sweep", 1);
        try (RunningServer a = serve(pg, db); RunningServer b = serve(pg, db);
             ZeoTestClient onA = connect(a); ZeoTestClient onB = connect(b)) {
            Oid x = onA.newOids(1).get(0);
            prepare(onA, 1, xid, x, Tid.ZERO, "x by XA");
            sql(pg, db, "COMMIT PREPARED '" + XidGids.gid(xid) + "'");

            Callback announced = nextInvalidation(onB);
            assertThat(announced).as("the apply is announced to B's clients").isNotNull();
            assertThat(announced.invalidatedOids()).containsExactly(x);
            assertThat(sqlLong(pg, db, "SELECT count(*) FROM xa_branch")).isZero();
            assertThat(text(onB.loadBefore(x, Tid.MAX).data())).isEqualTo("x by XA");
            assertThat(commit(onA, xid).tid()).isEqualTo(announced.invalidatedTid());
        }
    }

    private static long recoverWithoutApplying(PostgresTestServer pg, String db) throws Exception {
        return sqlLong(pg, db, "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()");
    }

    @Test
    void aServerStartingAppliesACommitCutShort() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        WireXid xid = xid("start", 1);
        Oid x;
        try (RunningServer a = serve(pg, db); ZeoTestClient onA = connect(a)) {
            x = onA.newOids(1).get(0);
            prepare(onA, 1, xid, x, Tid.ZERO, "x by XA");
        }
        sql(pg, db, "COMMIT PREPARED '" + XidGids.gid(xid) + "'");
        assertThat(sqlLong(pg, db, "SELECT count(*) FROM xa_branch")).isEqualTo(1);
        try (RunningServer b = serve(pg, db)) {
            assertThat(sqlLong(pg, db, "SELECT count(*) FROM xa_branch")).as("applied at start").isZero();
            try (ZeoTestClient onB = connect(b)) {
                assertThat(text(onB.loadBefore(x, Tid.MAX).data())).isEqualTo("x by XA");
                assertThat(commit(onB, xid).tid()).isEqualTo(onB.loadBefore(x, Tid.MAX).start());
                assertThat(onB.getInfo().get("length")).as("the new object is counted").isEqualTo(1L);
            }
        }
    }

    @Test
    void aDatabaseWithoutPreparedTransactionsIsNotOfferedXa() throws Exception {
        try (PostgresTestServer pg = PostgresTestServer.start(0)) {
            String db = pg.createDatabase();
            try (RunningServer a = serve(pg, db); ZeoTestClient onA = connect(a)) {
                assertThat(onA.getInfo()).containsEntry(XaWire.INFO_KEY, List.of());
                Oid x = onA.newOids(1).get(0);
                assertThat(xaError(() -> prepare(onA, 1, xid("refused", 1), x, Tid.ZERO, "x")))
                        .isEqualTo(XAException.XAER_RMERR);
                onA.call("tpc_abort", 1L); // the refused vote left the transaction to the client
                assertThat(onA.commit(2, Map.of(x, text("plain")), Map.of())).as("plain commits work").isNotNull();
            }
        }
    }
}
