package org.jzeo.bench.xa;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import org.h2.jdbcx.JdbcDataSource;
import org.jzeo.api.Oid;

/** An embedded H2 file database, one row per transfer. H2 does not fsync at commit or at XA prepare. */
final class H2Resource implements SecondResource {
    private final JdbcDataSource h2 = new JdbcDataSource();

    H2Resource(Path database) throws SQLException {
        h2.setURL("jdbc:h2:file:" + database);
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE transfer (id BIGINT PRIMARY KEY, thread INT, src BIGINT, dst BIGINT,"
                    + " amount BIGINT, note VARCHAR(100))");
        }
        System.out.println("# second resource: H2 " + h2.getURL());
    }

    @Override
    public String name() {
        return "H2";
    }

    @Override
    public void open(int threads, int storages) {
    }

    @Override
    public Session session(int thread, boolean xa) throws SQLException {
        XAConnection xaConnection = xa ? h2.getXAConnection() : null;
        Connection sql = xa ? xaConnection.getConnection() : h2.getConnection();
        if (!xa) {
            sql.setAutoCommit(false);
        }
        PreparedStatement insert = sql.prepareStatement(
                "INSERT INTO transfer (id, thread, src, dst, amount, note) VALUES (?, ?, ?, ?, ?, ?)");
        return new Session() {
            @Override
            public XAResource xaResource() {
                try {
                    return xaConnection.getXAResource();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void record(long id, int t, Oid src, Oid dst) throws SQLException {
                insert.setLong(1, id);
                insert.setInt(2, t);
                insert.setLong(3, src.value());
                insert.setLong(4, dst.value());
                insert.setLong(5, 1);
                insert.setString(6, "move 1 from " + src + " to " + dst);
                insert.executeUpdate();
            }

            @Override
            public void commitLocal() throws SQLException {
                sql.commit();
            }

            @Override
            public void rollbackLocal() throws SQLException {
                if (!xa) {
                    sql.rollback();
                }
            }

            @Override
            public void close() {
                try {
                    insert.close();
                    sql.close();
                    if (xaConnection != null) {
                        xaConnection.close();
                    }
                } catch (SQLException e) {
                    System.out.println("# closing H2 session of worker " + thread + ": " + e);
                }
            }
        };
    }

    @Override
    public void release() {
    }

    @Override
    public long cpuNanos() {
        return -1;
    }

    @Override
    public boolean verify(long recorded, long[] perThread) throws SQLException {
        long total = 0;
        boolean ok = true;
        try (Connection c = h2.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT thread, COUNT(*) FROM transfer GROUP BY thread")) {
            long[] found = new long[perThread.length];
            while (rs.next()) {
                int thread = rs.getInt(1);
                long rows = rs.getLong(2);
                total += rows;
                if (thread < 0 || thread >= found.length) {
                    ok = false;
                } else {
                    found[thread] = rows;
                }
            }
            for (int t = 0; t < perThread.length; t++) {
                ok &= found[t] == perThread[t];
            }
        }
        System.out.printf(Locale.ROOT, "%n# H2 holds %,d transfer rows, %,d recorded%n", total, recorded);
        return ok && total == recorded;
    }

    @Override
    public void close() {
    }
}
