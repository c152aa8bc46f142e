package org.jzeo.server.storage.pg;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.jzeo.api.StorageException;

/**
 * The storage's way into PostgreSQL: a HikariCP pool for reads, another for transactions between vote and finish,
 * and dedicated connections (outside the pools) for the commit stream's LISTEN. Every JDBC failure leaves here as a
 * {@link StorageException}.
 *
 * <p>Two pools, because a voted transaction keeps its connection until finish, and votes may wait for each other's
 * locks: with one pool, many clients voting at once (ZEO's checkConcurrentUpdates19Storages) held every connection,
 * and the loads that would let their clients go on waited for one and failed.
 */
final class Database implements AutoCloseable {
    /**
     * How long a caller waits for a pooled connection before the storage reports the database unavailable: long
     * enough for a busy pool, short enough that a server whose database is down answers its clients promptly.
     */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    /** Work done with a connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final PostgresOptions options;
    private final PostgresErrors errors;
    private final HikariDataSource pool;
    private final HikariDataSource commitPool;

    Database(PostgresOptions options) {
        this.options = options;
        this.errors = new PostgresErrors(options.jdbcUrl());
        this.pool = pool(options, "jzeo-pg-" + options.name(), CONNECTION_TIMEOUT);
        // A vote waiting for a connection waits, in effect, for other votes to finish: as long as for a lock.
        this.commitPool = pool(options, "jzeo-pg-commit-" + options.name(),
                options.lockWait().compareTo(CONNECTION_TIMEOUT) > 0 ? options.lockWait() : CONNECTION_TIMEOUT);
    }

    private static HikariDataSource pool(PostgresOptions options, String name, Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(options.jdbcUrl());
        config.setDataSourceProperties(options.connectionProperties());
        config.setMaximumPoolSize(options.poolSize());
        config.setMinimumIdle(Math.min(2, options.poolSize()));
        config.setConnectionTimeout(connectionTimeout.toMillis());
        // Opening must not fail inside the pool with its own message: the schema check that follows reports an
        // unreachable database in the storage's words.
        config.setInitializationFailTimeout(-1);
        config.setAutoCommit(true);
        return new HikariDataSource(config);
    }

    PostgresErrors errors() {
        return errors;
    }

    /** The database's URL for messages (a password in it masked). */
    String url() {
        return errors.url();
    }

    /**
     * Runs {@code work}, which only reads, on a pooled connection in autocommit mode. A pooled connection that broke
     * while idle (PostgreSQL restarted since it was last used) fails its first statement: the read is then tried once
     * more on another connection, so a database that is back is not reported unavailable.
     */
    <T> T read(String what, Work<T> work) {
        try {
            return readOnce(work);
        } catch (SQLException e) {
            if (!PostgresErrors.isUnavailable(e) || e instanceof java.sql.SQLTransientConnectionException) {
                throw errors.translate(what, e);
            }
            try {
                return readOnce(work);
            } catch (SQLException again) {
                throw errors.translate(what, again);
            }
        }
    }

    /** Runs {@code work} on a pooled connection in autocommit mode, once (for work that must not be repeated). */
    <T> T withConnection(String what, Work<T> work) {
        try {
            return readOnce(work);
        } catch (SQLException e) {
            throw errors.translate(what, e);
        }
    }

    private <T> T readOnce(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        }
    }

    /** Runs {@code work} in one database transaction on a pooled connection, committed when it returns. */
    <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                resetQuietly(c);
            }
        } catch (SQLException e) {
            throw errors.translate(what, e);
        }
    }

    /**
     * A connection of the commit pool with autocommit off, for a transaction that spans calls (vote to finish).
     */
    Connection borrowForTransaction(String what) {
        try {
            Connection c = commitPool.getConnection();
            c.setAutoCommit(false);
            return c;
        } catch (SQLException e) {
            throw errors.translate(what, e);
        }
    }

    /** Gives back a connection from {@link #borrowForTransaction}, rolling back whatever is still open. */
    static void giveBack(Connection c) {
        rollbackQuietly(c);
        resetQuietly(c);
        try {
            c.close();
        } catch (SQLException e) {
            // The pool discards a broken connection by itself.
        }
    }

    /** A connection of its own, outside the pool (the commit stream's LISTEN must stay on one session). */
    Connection openDedicated() throws SQLException {
        return DriverManager.getConnection(options.jdbcUrl(), options.connectionProperties());
    }

    static void rollbackQuietly(Connection c) {
        try {
            if (!c.isClosed() && !c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            // A broken connection has nothing to roll back: PostgreSQL aborted the transaction with the session.
        }
    }

    private static void resetQuietly(Connection c) {
        try {
            if (!c.isClosed()) {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // As above.
        }
    }

    @Override
    public void close() {
        pool.close();
        commitPool.close();
    }
}
