package org.jzeo.objects;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;
import org.jzeo.api.StorageException;
import org.jzeo.objects.codec.ObjectCodec;

/**
 * Java objects stored in a jzeo storage: ZODB's {@code DB}. Built over any {@link StorageConnectionFactory}: a
 * client of a jzeo (or ZEO) server, an embedded storage in this JVM, or the factory a resource adapter injects.
 * Thread-safe; hands out one {@link ObjectConnection} per unit of work.
 *
 * <pre>{@code
 * ObjectDatabase db = ObjectDatabase.over(factory, ObjectTypes.of(Customer.class, Order.class));
 * db.run(conn -> {
 *     conn.root().put("ann", new Customer("Ann"));
 * });
 * }</pre>
 */
public final class ObjectDatabase {
    /** Objects each connection holds between transactions, by default (see the README for the measurement). */
    public static final int DEFAULT_CACHE_SIZE = 10_000;

    private final StorageConnectionFactory storage;
    private final ObjectCodec codec;
    private final int cacheSize;
    private final int attempts;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    /**
     * What a storage connection keeps this database's objects under: equal for databases made alike, so an
     * application that builds its ObjectDatabase per request (an EJB) still finds the objects a pooled connection
     * cached for the previous one.
     */
    private final SessionKey key;
    private final Map<ObjectSession, Boolean> sessions = Collections.synchronizedMap(new WeakHashMap<>());

    private ObjectDatabase(Builder b) {
        this.storage = b.storage;
        this.codec = new ObjectCodec(b.types.resolver());
        this.cacheSize = b.cacheSize;
        this.attempts = b.attempts;
        this.firstBackoff = b.firstBackoff;
        this.maxBackoff = b.maxBackoff;
        this.key = new SessionKey(b.types, b.cacheSize);
    }

    private record SessionKey(ObjectTypes types, int cacheSize) {
    }

    /**
     * Which session a storage connection reports to. A connection pooled between databases of different types
     * reports to the last one opened; a session that was not the one listening must assume anything changed.
     */
    private static final class Binding {
        ObjectSession session;
    }

    /** An object database over {@code storage} storing the classes {@code types} allows, with default options. */
    public static ObjectDatabase over(StorageConnectionFactory storage, ObjectTypes types) {
        return builder(storage, types).build();
    }

    public static Builder builder(StorageConnectionFactory storage, ObjectTypes types) {
        return new Builder(storage, types);
    }

    /** Options of an object database. */
    public static final class Builder {
        private final StorageConnectionFactory storage;
        private final ObjectTypes types;
        private int cacheSize = DEFAULT_CACHE_SIZE;
        private int attempts = 5;
        private Duration firstBackoff = Duration.ofMillis(5);
        private Duration maxBackoff = Duration.ofSeconds(1);

        private Builder(StorageConnectionFactory storage, ObjectTypes types) {
            this.storage = Objects.requireNonNull(storage, "storage");
            this.types = Objects.requireNonNull(types, "types");
        }

        /** Objects each connection keeps between transactions (least recently used go first); default 10 000. */
        public Builder cacheSize(int objects) {
            if (objects < 0) {
                throw new IllegalArgumentException("cacheSize must be >= 0, got " + objects);
            }
            this.cacheSize = objects;
            return this;
        }

        /**
         * How {@link ObjectDatabase#run} retries: at most {@code attempts} runs, waiting between them a
         * random time up to a bound that starts at {@code first} and doubles up to {@code max}. Default 5 attempts,
         * 5 ms, 1 s.
         */
        public Builder retries(int attempts, Duration first, Duration max) {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
            }
            this.attempts = attempts;
            this.firstBackoff = Objects.requireNonNull(first, "first");
            this.maxBackoff = Objects.requireNonNull(max, "max");
            return this;
        }

        public ObjectDatabase build() {
            return new ObjectDatabase(this);
        }
    }

    /** A connection for the calling thread's work; close it when done. */
    public ObjectConnection open() {
        StorageConnection connection = storage.getConnection();
        try {
            ObjectSession session = connection.attachment(key, () -> {
                ObjectSession s = new ObjectSession(codec, connection, cacheSize);
                sessions.put(s, Boolean.TRUE);
                return s;
            });
            session.use(connection); // a pooled connection's new handle: the one created with the session is closed
            Binding binding = connection.attachment(Binding.class, Binding::new);
            if (binding.session != session) {
                if (binding.session != null) {
                    session.invalidated(null); // another database's session had the invalidations meanwhile
                }
                binding.session = session;
                connection.setTransactionListener(session);
                connection.setConflictResolver(session);
            }
            return new ObjectConnection(session, connection);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Runs {@code work} in a transaction and commits it, retrying the whole unit of work when it fails for a
     * retryable reason (a conflict, a lost connection) as {@code transaction.manager.attempts()} does. When the
     * connection is already in a transaction the caller controls (the container's JTA transaction, through a
     * resource adapter), the work just runs in it: committing and retrying are then the caller's.
     *
     * @return what {@code work} returned in the attempt that committed
     */
    public <T> T call(Function<ObjectConnection, T> work) {
        Duration bound = firstBackoff;
        for (int attempt = 1; ; attempt++) {
            try (ObjectConnection connection = open()) {
                if (connection.inTransaction()) {
                    return work.apply(connection);
                }
                connection.begin();
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (StorageException e) {
                if (!e.isRetryable() || attempt >= attempts) {
                    throw e;
                }
                pause(bound);
                bound = bound.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : bound.multipliedBy(2);
            }
        }
    }

    /** {@link #call(Function)} for work that returns nothing. */
    public void run(Consumer<ObjectConnection> work) {
        call(connection -> {
            work.accept(connection);
            return null;
        });
    }

    private static void pause(Duration bound) {
        long nanos = ThreadLocalRandom.current().nextLong(Math.max(1, bound.toNanos()));
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting to retry a transaction");
        }
    }

    /** The object caches of every connection this database opened, added up. */
    public ObjectCacheStats cacheStats() {
        ObjectCacheStats total = new ObjectCacheStats(0, 0, 0, 0, 0);
        synchronized (sessions) {
            for (ObjectSession s : sessions.keySet()) {
                total = total.plus(s.stats());
            }
        }
        return total;
    }
}
