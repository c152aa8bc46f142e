package org.jzeo.server.storage.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;

/** A database made by schema version 1 (before XA) is upgraded to version 2 on open, its data kept. */
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
            s.execute("DROP TABLE xa_branch_record, xa_branch, xa_outcome");
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
            assertThat(r.getInt(1)).isEqualTo(2);
            assertThat(r.getBoolean(2)).as("the XA tables").isTrue();
        }
    }
}
