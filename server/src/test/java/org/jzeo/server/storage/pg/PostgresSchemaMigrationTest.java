package org.jzeo.server.storage.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.server.xa.PreparingBranch;
import org.jzeo.server.xa.XaOptions;
import org.jzeo.server.xa.XaService;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;

/**
 * Older databases are upgraded on open, their data kept: version 1 (before XA) gets the XA tables, version 2 (before
 * branch owners) the owners' table, and a branch prepared under version 2 stays prepared, without owner.
 */
class PostgresSchemaMigrationTest {
    private final PostgresTestServer pg = PostgresTestServer.shared();

    @Test
    void aVersion1DatabaseGetsTheXaTablesAndKeepsItsData() throws Exception {
        String db = pg.createDatabase();
        Oid x = Oid.of(1);
        Tid written;
        try (PostgresStorage s = PgTestStorages.open(pg, db, Duration.ofSeconds(1), Duration.ofSeconds(1))) {
            StorageTransaction txn = s.begin(TransactionMetadata.empty());
            txn.store(x, Tid.ZERO, TestRecords.record("x"));
            txn.vote();
            written = txn.finish();
        }
        // Back to what version 1 made.
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("DROP TABLE xa_branch_record, xa_branch, xa_outcome, xa_branch_owner");
            s.execute("UPDATE jzeo_schema SET version = 1");
        }

        try (PostgresStorage s = PgTestStorages.open(pg, db, Duration.ofSeconds(1), Duration.ofSeconds(1))) {
            assertThat(s.loadBefore(x, Tid.MAX).start()).isEqualTo(written);
            assertThat(s.preparedBranches().unavailableReason()).isNull();
        }
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT (SELECT version FROM jzeo_schema),"
                     + " to_regclass('xa_branch') IS NOT NULL AND to_regclass('xa_branch_record') IS NOT NULL"
                     + " AND to_regclass('xa_outcome') IS NOT NULL")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(PostgresSchema.LATEST);
            assertThat(r.getBoolean(2)).as("the XA tables").isTrue();
        }
    }

    @Test
    void aVersion2DatabaseGetsTheOwnersTableAndItsPreparedBranchHasNoOwner() throws Exception {
        String db = pg.createDatabase();
        Oid x = Oid.of(1);
        Tid written;
        WireXid xid = new WireXid(1, "before owners".getBytes(StandardCharsets.UTF_8), new byte[] {1});
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try {
            String gid;
            try (PostgresStorage s = PgTestStorages.open(pg, db, Duration.ofSeconds(1), Duration.ofSeconds(1))) {
                StorageTransaction txn = s.begin(TransactionMetadata.empty());
                txn.store(x, Tid.ZERO, TestRecords.record("x"));
                txn.vote();
                written = txn.finish();
                // The gid jzeo gives the xid: from a branch prepared now and rolled back behind jzeo's back.
                XaService xa = XaService.of("1", s, XaOptions.defaults(), Clock.systemUTC());
                xa.start(timers);
                PreparingBranch branch = xa.admit(xid, List.of(), TransactionMetadata.empty(), "alice");
                StorageTransaction st = s.begin(branch.metadata());
                st.vote();
                xa.makeDurable(xa.log(branch, st, List.of(), 0), "test");
                try (Connection c = pg.connect(db); Statement q = c.createStatement()) {
                    try (ResultSet r = q.executeQuery("SELECT gid FROM pg_prepared_xacts"
                            + " WHERE database = current_database()")) {
                        r.next();
                        gid = r.getString(1);
                    }
                    q.execute("ROLLBACK PREPARED '" + gid + "'");
                }
                xa.close();
            }
            // Back to what version 2 made, with the branch prepared as version 2 prepared it (no claim).
            try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
                s.execute("DROP TABLE xa_branch_owner");
                s.execute("UPDATE jzeo_schema SET version = 2");
                s.execute("BEGIN");
                s.execute("INSERT INTO xa_branch (gid, username, description, extension)"
                        + " VALUES ('" + gid + "', '', '', '')");
                s.execute("PREPARE TRANSACTION '" + gid + "'");
            }

            try (PostgresStorage s = PgTestStorages.open(pg, db, Duration.ofSeconds(1), Duration.ofSeconds(1))) {
                assertThat(s.loadBefore(x, Tid.MAX).start()).isEqualTo(written);
                XaService xa = XaService.of("1", s, XaOptions.defaults(), Clock.systemUTC());
                xa.start(timers);
                assertThat(xa.recover()).containsExactly(xid);
                assertThat(xa.owner(xid)).isNull();
                xa.rollback(xid);
                assertThat(xa.recover()).isEmpty();
                xa.close();
            }
            try (Connection c = pg.connect(db); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT (SELECT version FROM jzeo_schema),"
                         + " to_regclass('xa_branch_owner') IS NOT NULL")) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(3);
                assertThat(r.getBoolean(2)).as("the owners' table").isTrue();
            }
        } finally {
            timers.shutdownNow();
        }
    }
}
