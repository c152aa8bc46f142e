package org.jzeo.server.storage.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import javax.transaction.xa.XAException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.server.xa.CommitPoint;
import org.jzeo.server.xa.PreparingBranch;
import org.jzeo.server.xa.VotedBranch;
import org.jzeo.server.xa.XaErrors;
import org.jzeo.server.xa.XaOptions;
import org.jzeo.server.xa.XaService;
import org.jzeo.storage.Operation;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The owner of a PostgreSQL branch (the user who prepared it, for the rights check of issue 17) is kept in the
 * database (schema-3.sql): every server sharing it reads it while the branch is prepared, it survives a crash of
 * PostgreSQL and of the preparing server, a rival prepare of the same xid cannot take it over, and it goes with
 * the branch's commit or rollback. Driven through {@link XaService}: the protocol passes no owner until
 * authentication is wired in.
 */
class PostgresXaOwnerTest {
    private static final Duration LOCK_WAIT = Duration.ofSeconds(1);

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    /** One server's view of the database: a storage and its branches. */
    private final class Served implements AutoCloseable {
        final PostgresStorage storage;
        final XaService xa;

        Served(PostgresTestServer pg, String db) {
            storage = PgTestStorages.open(pg, db, LOCK_WAIT, Duration.ofMillis(200));
            xa = XaService.of("1", storage, XaOptions.defaults(), Clock.systemUTC());
            xa.start(timers);
        }

        /** Prepares {@code xid} storing a new object, as xa_vote does, for {@code owner}. */
        void prepare(WireXid xid, String owner) {
            Oid oid = storage.newOids(1).get(0);
            PreparingBranch branch = xa.admit(xid, List.of(new Operation.Store(oid, Tid.ZERO,
                    TestRecords.record("by " + owner))), TransactionMetadata.empty(), owner);
            StorageTransaction st = null;
            try {
                st = storage.begin(branch.metadata());
                StorageTransaction voting = st;
                branch.operations().forEach(op -> op.applyTo(voting));
                st.vote();
                VotedBranch voted = xa.log(branch, st, List.of(), 0);
                st = null; // makeDurable ends it either way
                xa.makeDurable(voted, "test");
            } catch (RuntimeException e) {
                xa.drop(branch, st);
                throw e;
            }
        }

        Object commit(WireXid xid) {
            return xa.commit(xid, new CommitPoint() {
                @Override
                public BooleanSupplier arm(StorageTransaction txn, BiFunction<Tid, List<Oid>, Object> reply) {
                    return () -> false;
                }

                @Override
                public void disarm(StorageTransaction txn) {
                }

                @Override
                public String caller() {
                    return "test";
                }
            });
        }

        @Override
        public void close() {
            xa.close();
            storage.close();
        }
    }

    private static WireXid xid(String gtrid, int branch) {
        return new WireXid(0x4a5a, gtrid.getBytes(StandardCharsets.UTF_8), new byte[] {(byte) branch});
    }

    private static long claims(PostgresTestServer pg, String db) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM xa_branch_owner")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void everyServerReadsTheOwnerWhichGoesWithTheCommitOrRollback() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        WireXid alices = xid("owned", 1);
        WireXid nobodys = xid("owned", 2);
        WireXid bobs = xid("owned", 3);
        try (Served a = new Served(pg, db); Served b = new Served(pg, db)) {
            a.prepare(alices, "alice");
            a.prepare(nobodys, null);
            b.prepare(bobs, "bob");

            for (Served s : List.of(a, b)) {
                assertThat(s.xa.recover()).containsExactlyInAnyOrder(alices, nobodys, bobs);
                assertThat(s.xa.owner(alices)).isEqualTo("alice");
                assertThat(s.xa.owner(nobodys)).isNull();
                assertThat(s.xa.owner(bobs)).isEqualTo("bob");
                assertThat(s.xa.owner(xid("never", 1))).isNull();
            }

            b.commit(alices);
            b.xa.rollback(bobs);
            a.commit(nobodys);
            assertThat(a.xa.owner(alices)).as("committed: no longer listed by recover").isNull();
            assertThat(a.xa.owner(bobs)).as("rolled back").isNull();
            assertThat(a.xa.recover()).isEmpty();
            assertThat(claims(pg, db)).as("no claim outlives its branch").isZero();
        }
    }

    @Test
    void aRivalPrepareOfTheSameXidCannotTakeTheOwnerOver() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        WireXid xid = xid("rival", 1);
        try (Served a = new Served(pg, db); Served b = new Served(pg, db)) {
            a.prepare(xid, "alice");

            assertThatThrownBy(() -> b.prepare(xid, "mallory"))
                    .satisfies(e -> assertThat(XaErrors.errorCode(e)).isEqualTo(XAException.XAER_DUPID));

            assertThat(b.xa.owner(xid)).isEqualTo("alice");
            assertThat(b.xa.recover()).containsExactly(xid);
            assertThat(claims(pg, db)).isEqualTo(1);
        }
    }

    @Test
    void aClaimWhoseBranchIsNoLongerPreparedNamesNobodyAndIsReplacedByTheNextPrepare() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String db = pg.createDatabase();
        WireXid xid = xid("stale", 1);
        try (Served a = new Served(pg, db); Served b = new Served(pg, db)) {
            a.prepare(xid, "alice");
            // Rolled back behind jzeo's back (no outcome recorded): the prepared transaction's delete of its claim
            // is undone with it, and the claim stays behind, as after a prepare that failed.
            try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
                String gid;
                try (ResultSet r = s.executeQuery("SELECT gid FROM pg_prepared_xacts"
                        + " WHERE database = current_database()")) {
                    assertThat(r.next()).isTrue();
                    gid = r.getString(1);
                }
                s.execute("ROLLBACK PREPARED '" + gid + "'");
            }
            assertThat(claims(pg, db)).isEqualTo(1);
            assertThat(a.xa.owner(xid)).as("not prepared").isNull();

            b.prepare(xid, "bob");

            assertThat(a.xa.owner(xid)).isEqualTo("bob");
        }
    }

    @Test
    void theOwnerSurvivesACrashOfPostgresAndOfThePreparingServer() throws Exception {
        WireXid xid = xid("crash", 1);
        try (PostgresTestServer pg = PostgresTestServer.start()) {
            String db = pg.createDatabase();
            Served preparing = new Served(pg, db);
            preparing.prepare(xid, "carol");
            // Both die: PostgreSQL without a checkpoint, the server without closing anything.
            pg.stopImmediately();
            assertThatThrownBy(() -> preparing.xa.owner(xid)).as("unknown is not 'no owner'")
                    .satisfies(e -> assertThat(XaErrors.errorCode(e)).isEqualTo(XAException.XAER_RMFAIL));
            pg.restart();
            try (Served after = new Served(pg, db)) {
                assertThat(after.xa.recover()).containsExactly(xid);
                assertThat(after.xa.owner(xid)).isEqualTo("carol");
                after.commit(xid);
                assertThat(after.xa.owner(xid)).isNull();
            }
            try {
                preparing.close();
            } catch (RuntimeException e) {
                // its connections died with PostgreSQL
            }
        }
    }
}
