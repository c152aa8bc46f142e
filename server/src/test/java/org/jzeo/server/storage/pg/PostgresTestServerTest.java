package org.jzeo.server.storage.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresTestServerTest {

    @Test
    void aPrivateClusterKeepsCommittedRowsAcrossAnImmediateStop() throws Exception {
        try (PostgresTestServer pg = PostgresTestServer.start()) {
            String db = pg.createDatabase();
            try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (v int)");
                s.execute("INSERT INTO t VALUES (42)");
            }
            pg.stopImmediately();
            pg.restart();
            try (Connection c = pg.connect(db); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT v, current_setting('max_prepared_transactions') FROM t")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getInt(1)).isEqualTo(42);
                assertThat(r.getInt(2)).isEqualTo(64);
            }
        }
    }
}
