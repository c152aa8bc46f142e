package org.jzeo.server.storage.pg;

import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * How to open a {@link PostgresStorage}: where the database is and how the storage uses it.
 *
 * @param name                 the storage's name (the ZEO storage name clients register with)
 * @param jdbcUrl              {@code jdbc:postgresql://host:port/dbname}
 * @param connectionProperties the driver's properties besides the URL ({@code user}, {@code password}, {@code sslmode}
 *                             ...), as the {@code <postgresql>} section's {@code dsn} gives them
 * @param readOnly             refuse every write
 * @param createSchema         create the tables on first start (RelStorage's {@code create-schema}, default true);
 *                             when false, an empty database is an error
 * @param poolSize             the most database connections the storage uses for reads at once, and as many for
 *                             transactions between vote and finish
 * @param lockWait             how long a vote waits for an object lock another transaction (through any server) holds
 *                             before the vote fails with a retryable conflict
 * @param pollInterval         how often the storage looks for other servers' commits when no notification came
 *                             (LISTEN/NOTIFY is the fast path; polling is the fallback)
 */
public record PostgresOptions(String name, String jdbcUrl, Properties connectionProperties, boolean readOnly,
                              boolean createSchema, int poolSize, Duration lockWait, Duration pollInterval) {

    public static final int DEFAULT_POOL_SIZE = 10;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    public PostgresOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        connectionProperties = copy(connectionProperties);
        Objects.requireNonNull(lockWait, "lockWait");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (poolSize < 1) {
            throw new IllegalArgumentException("pool size must be at least 1, not " + poolSize);
        }
    }

    /** Options with the defaults: storage "1", read-write, schema created, {@value #DEFAULT_POOL_SIZE} connections. */
    public static PostgresOptions of(String jdbcUrl, Properties connectionProperties) {
        return new PostgresOptions("1", jdbcUrl, connectionProperties, false, true, DEFAULT_POOL_SIZE,
                Duration.ofSeconds(10), DEFAULT_POLL_INTERVAL);
    }

    public PostgresOptions withName(String newName) {
        return new PostgresOptions(newName, jdbcUrl, connectionProperties, readOnly, createSchema, poolSize, lockWait,
                pollInterval);
    }

    public PostgresOptions withReadOnly(boolean ro) {
        return new PostgresOptions(name, jdbcUrl, connectionProperties, ro, createSchema, poolSize, lockWait,
                pollInterval);
    }

    public PostgresOptions withCreateSchema(boolean create) {
        return new PostgresOptions(name, jdbcUrl, connectionProperties, readOnly, create, poolSize, lockWait,
                pollInterval);
    }

    public PostgresOptions withPoolSize(int size) {
        return new PostgresOptions(name, jdbcUrl, connectionProperties, readOnly, createSchema, size, lockWait,
                pollInterval);
    }

    public PostgresOptions withLockWait(Duration wait) {
        return new PostgresOptions(name, jdbcUrl, connectionProperties, readOnly, createSchema, poolSize, wait,
                pollInterval);
    }

    public PostgresOptions withPollInterval(Duration interval) {
        return new PostgresOptions(name, jdbcUrl, connectionProperties, readOnly, createSchema, poolSize, lockWait,
                interval);
    }

    /** The same properties, in a copy the caller may change. */
    @Override
    public Properties connectionProperties() {
        return copy(connectionProperties);
    }

    private static Properties copy(Properties p) {
        Properties c = new Properties();
        if (p != null) {
            c.putAll(p);
        }
        return c;
    }

    /** Where the database is, for messages: the URL, never the password. */
    public String describe() {
        return jdbcUrl;
    }
}
