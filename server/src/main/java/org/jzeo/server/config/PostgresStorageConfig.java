package org.jzeo.server.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jzeo.server.storage.pg.PostgresDsn;

/**
 * A storage kept in PostgreSQL, from RelStorage's {@code <relstorage NAME>} with a {@code <postgresql>} section inside:
 * several jzeo servers configured with the same database serve one storage.
 *
 * @param name         the storage name clients register with (the section name)
 * @param dsn          where the database is ({@code <postgresql>}'s {@code dsn}, libpq's connection string)
 * @param readOnly     refuse writes (RelStorage {@code read-only}, false)
 * @param createSchema create jzeo's tables in an empty database on first start (RelStorage {@code create-schema},
 *                     true)
 * @param packGc       pack removes objects no longer reachable from the root (RelStorage {@code pack-gc}, true)
 * @param poolSize     the most database connections this server uses for the storage's reads at once, and as many
 *                     for transactions between vote and finish (jzeo's {@code pool-size}, 10)
 * @param lockWait     how long a vote waits for an object lock held through any server (RelStorage {@code
 *                     commit-lock-timeout}); empty: the {@code <zeo>} section's {@code lock-wait}
 * @param pollInterval how often the server looks for other servers' commits when no notification arrived
 *                     (RelStorage {@code poll-interval}, 1 s here: notifications do the prompt work)
 */
public record PostgresStorageConfig(String name, PostgresDsn dsn, boolean readOnly, boolean createSchema,
                                    boolean packGc, int poolSize, Optional<Duration> lockWait, Duration pollInterval)
        implements StorageConfig {

    public static final int DEFAULT_POOL_SIZE = 10;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    public PostgresStorageConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dsn, "dsn");
        Objects.requireNonNull(lockWait, "lockWait");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (poolSize < 1) {
            throw new IllegalArgumentException("pool-size " + poolSize);
        }
    }
}
