package org.jzeo.bench.pg;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Why the PostgreSQL backend pools its connections with HikariCP: the cost of borrowing a connection, running the
 * backend's most frequent statement (a one-row load by primary key) and giving the connection back, with HikariCP,
 * with Tomcat's JDBC pool and with no pool (a new connection per statement), at several thread counts and a pool
 * smaller than the thread count (threads wait for connections, as a busy server's do). Prints ops/s and latency
 * percentiles per pool; nothing is asserted. See bench/README.md, "Choosing the connection pool".
 */
@Command(name = "PoolChoiceTool", mixinStandardHelpOptions = true,
        description = "Borrow + one-row query + return: HikariCP, Tomcat JDBC pool, no pool.")
public final class PoolChoiceTool implements Callable<Integer> {

    @Option(names = "--jdbc-url", required = true, description = "e.g. jdbc:postgresql://127.0.0.1:5432/postgres")
    String jdbcUrl;

    @Option(names = "--user", description = "Database user (default: ${DEFAULT-VALUE}).")
    String user = "postgres";

    @Option(names = "--password", description = "Password (default: none).")
    String password = "";

    @Option(names = "--threads", split = ",", description = "Thread counts (default: ${DEFAULT-VALUE}).")
    List<Integer> threads = List.of(1, 4, 16);

    @Option(names = "--pool-size", description = "Connections per pool (default: ${DEFAULT-VALUE}).")
    int poolSize = 4;

    @Option(names = "--seconds", description = "Measured seconds per case (default: ${DEFAULT-VALUE}).")
    int seconds = 5;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PoolChoiceTool()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        prepareTable();
        System.out.println("| pool | threads | ops/s | p50 µs | p99 µs | max µs |");
        System.out.println("|---|---|---|---|---|---|");
        for (int t : threads) {
            try (HikariDataSource hikari = hikari()) {
                run("HikariCP", hikari, t);
            }
            org.apache.tomcat.jdbc.pool.DataSource tomcat = tomcat();
            try {
                run("Tomcat JDBC", tomcat, t);
            } finally {
                tomcat.close(true);
            }
            run("no pool", new NewConnectionEachTime(), t);
        }
        return 0;
    }

    private void prepareTable() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS pool_choice (zoid bigint PRIMARY KEY,"
                    + " tid bigint, state bytea)");
            c.createStatement().execute("INSERT INTO pool_choice SELECT g, g, decode(repeat('ab', 100), 'hex')"
                    + " FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING");
        }
    }

    private HikariDataSource hikari() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(poolSize);
        return new HikariDataSource(config);
    }

    private org.apache.tomcat.jdbc.pool.DataSource tomcat() {
        org.apache.tomcat.jdbc.pool.PoolProperties p = new org.apache.tomcat.jdbc.pool.PoolProperties();
        p.setUrl(jdbcUrl);
        p.setDriverClassName("org.postgresql.Driver");
        p.setUsername(user);
        p.setPassword(password);
        p.setMaxActive(poolSize);
        p.setMaxIdle(poolSize);
        p.setMinIdle(poolSize);
        p.setInitialSize(poolSize);
        return new org.apache.tomcat.jdbc.pool.DataSource(p);
    }

    private void run(String name, DataSource source, int threadCount) throws Exception {
        measure(source, threadCount, 1); // warm-up: connections opened, code compiled
        long[][] latencies = new long[threadCount][];
        int[] counts = new int[threadCount];
        CountDownLatch done = new CountDownLatch(threadCount);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < threadCount; i++) {
            int me = i;
            Thread t = new Thread(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                long oid = me + 1;
                try {
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        loadOne(source, oid);
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = System.nanoTime() - start;
                        oid = oid % 1000 + 1;
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                } finally {
                    latencies[me] = mine;
                    counts[me] = n;
                    done.countDown();
                }
            });
            t.start();
        }
        done.await();
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < threadCount; i++) {
            for (int j = 0; j < counts[i]; j++) {
                all.add(latencies[i][j]);
            }
        }
        all.sort(null);
        System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f |%n", name, threadCount,
                all.size() / (double) seconds, percentile(all, 0.50), percentile(all, 0.99),
                all.get(all.size() - 1) / 1000.0);
    }

    private void measure(DataSource source, int threadCount, int warmupSeconds) throws SQLException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long oid = 1;
        while (System.nanoTime() < end) {
            loadOne(source, oid);
            oid = oid % 1000 + 1;
        }
    }

    private static double percentile(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))) / 1000.0;
    }

    private static void loadOne(DataSource source, long oid) throws SQLException {
        try (Connection c = source.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT tid, state FROM pool_choice WHERE zoid = ?")) {
            p.setLong(1, oid);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
            }
        }
    }

    /** No pool: what the backend would do without one, a new connection (TCP, startup, auth) per statement. */
    private final class NewConnectionEachTime implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return DriverManager.getConnection(jdbcUrl, user, password);
        }

        @Override
        public Connection getConnection(String u, String p) throws SQLException {
            return DriverManager.getConnection(jdbcUrl, u, p);
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int s) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
