package org.jzeo.server.storage.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.storage.CommitListener;
import org.jzeo.storage.StorageTransaction;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database's commits, delivered to this storage's {@link CommitListener} once each, in tid order, whichever
 * server made them.
 *
 * <p>{@link #visible()} is the newest tid delivered; the storage's reads pretend nothing after it exists, so a
 * server never reveals a tid before it queued that tid's invalidations. Delivery ("catching up") reads every
 * transaction above {@code visible} in tid order under one lock. That is complete: tids are chosen under the
 * database's commit lock, so once tid T is committed, every smaller tid is committed too.
 *
 * <p>A thread of its own LISTENs on {@value #CHANNEL} over a dedicated connection and catches up on each
 * notification, and every poll interval when none comes (the fallback, should a notification be lost). If that
 * connection breaks (PostgreSQL restarting), it logs one warning, reconnects with a bounded backoff, LISTENs
 * again and catches up: commits made meanwhile are delivered late, never lost nor reordered. A committer of this
 * storage catches up to its own tid before its finish returns, and its transaction is named to the listener.
 */
final class CommitStream implements AutoCloseable {
    static final String CHANNEL = "jzeo_commit";
    private static final Logger LOG = LoggerFactory.getLogger(CommitStream.class);
    private static final int PAGE = 500;
    private static final Duration MIN_BACKOFF = Duration.ofMillis(50);

    /** A commit of this storage between its COMMIT and its delivery. */
    private record Own(StorageTransaction txn, List<Oid> oids) {
    }

    private final Database db;
    private final Duration pollInterval;
    private final Duration maxBackoff;
    private final Object deliveryLock = new Object();
    private final Map<Tid, Own> own = new ConcurrentHashMap<>();
    private volatile Tid visible;
    private volatile CommitListener listener;
    private volatile boolean listenerSet;
    /** How often the stream thread woke (notification or poll): tests wait for it instead of sleeping. */
    private final java.util.concurrent.atomic.AtomicLong wakeups = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;
    private volatile Connection listening;
    /** The connection deliveries read new commits on; guarded by {@link #deliveryLock}. */
    private Connection delivery;
    private Thread thread;

    CommitStream(Database db, Tid lastCommitted, Duration pollInterval) {
        this.db = db;
        this.visible = lastCommitted;
        this.pollInterval = pollInterval.isZero() || pollInterval.isNegative() ? Duration.ofMillis(1) : pollInterval;
        Duration cap = this.pollInterval.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5)
                : this.pollInterval;
        this.maxBackoff = cap.compareTo(Duration.ofMillis(500)) < 0 ? Duration.ofMillis(500) : cap;
    }

    /** The newest tid delivered to the listener: what the storage's reads may show. */
    Tid visible() {
        return visible;
    }

    /** How many times the stream thread has woken and looked for new commits. */
    long wakeups() {
        return wakeups.get();
    }

    /** Whether the stream's LISTEN is established now and what was committed before it was delivered. */
    boolean isListening() {
        return listening != null;
    }

    /**
     * Sets the listener. Until the first call, the stream thread holds other servers' commits back (they stay in
     * the database, above {@code visible}): a server reads {@code lastTransaction()} and then sets its listener, and
     * a commit delivered in between would reach nobody and be missing from its invalidation queue.
     */
    void setListener(CommitListener listener) {
        this.listener = listener;
        this.listenerSet = true;
    }

    void start(String storageName) {
        thread = new Thread(this::run, "jzeo-pg-commit-stream-" + storageName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Marks {@code tid} as this storage's commit of {@code txn}, before its COMMIT: whichever thread delivers it
     * (the committer, or the stream thread woken by its notification) then names the committer.
     */
    void expectOwn(Tid tid, StorageTransaction txn, List<Oid> oids) {
        own.put(tid, new Own(txn, oids));
    }

    /** The commit of {@code tid} failed before COMMIT: there will be nothing to deliver. */
    void forgetOwn(Tid tid) {
        own.remove(tid);
    }

    /**
     * Delivers everything up to this storage's own committed {@code tid}, before finish returns. If the database
     * cannot be read right now the commit is durable all the same, so this waits for the stream thread to
     * deliver it once the database answers again, up to {@code patience}.
     */
    void deliverOwn(Tid tid, Duration patience) {
        try {
            catchUp(tid);
            if (visible.compareTo(tid) >= 0) {
                return;
            }
        } catch (StorageException e) {
            LOG.warn("transaction {} committed, but reading it back from {} failed ({}); waiting for the commit"
                    + " stream to deliver it", tid, db.url(), e.getMessage());
        }
        long deadline = System.nanoTime() + patience.toNanos();
        synchronized (deliveryLock) {
            while (visible.compareTo(tid) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    throw new DatabaseUnavailableException("transaction " + tid + " was committed to PostgreSQL"
                            + " database " + db.url() + " but could not be read back to announce it", null);
                }
                try {
                    deliveryLock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("interrupted while announcing committed transaction " + tid);
                }
            }
        }
    }

    /** Delivers every committed transaction above {@code visible} (up to {@code upTo}, null: all). */
    void catchUp(Tid upTo) {
        synchronized (deliveryLock) {
            while (upTo == null || visible.compareTo(upTo) < 0) {
                List<Invalidation> page = committedAfter(visible, upTo);
                for (Invalidation committed : page) {
                    deliver(committed.tid(), committed.oids());
                }
                if (page.size() < PAGE) {
                    break;
                }
            }
        }
    }

    private record Invalidation(Tid tid, List<Oid> oids) {
    }

    /**
     * The transactions after {@code after}, on the stream's own connection (used only under the delivery lock): a
     * pool exhausted by voters waiting for locks never delays announcing commits. A connection that broke since its
     * last use (PostgreSQL restarted) is replaced once at once.
     */
    private List<Invalidation> committedAfter(Tid after, Tid upTo) {
        boolean fresh = delivery == null;
        try {
            return committedAfter(deliveryConnection(), after, upTo);
        } catch (SQLException e) {
            closeDelivery();
            if (!fresh) {
                try {
                    return committedAfter(deliveryConnection(), after, upTo);
                } catch (SQLException again) {
                    closeDelivery();
                    throw db.errors().translate("reading new commits", again);
                }
            }
            throw db.errors().translate("reading new commits", e);
        }
    }

    private Connection deliveryConnection() throws SQLException {
        if (delivery == null) {
            delivery = db.openDedicated();
        }
        return delivery;
    }

    private void closeDelivery() {
        Connection c = delivery;
        delivery = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // Already broken.
            }
        }
    }

    private static List<Invalidation> committedAfter(Connection c, Tid after, Tid upTo) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT t.tid, array_agg(s.zoid ORDER BY s.position) FILTER (WHERE s.zoid IS NOT NULL)"
                        + " FROM (SELECT tid FROM transaction WHERE tid > ? AND tid <= ? ORDER BY tid LIMIT "
                        + PAGE + ") t LEFT JOIN object_state s ON s.tid = t.tid GROUP BY t.tid ORDER BY t.tid")) {
            p.setLong(1, after.value());
            p.setLong(2, upTo == null ? Long.MAX_VALUE : upTo.value());
            List<Invalidation> result = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    result.add(new Invalidation(Tid.of(r.getLong(1)), PostgresReads.oids(r.getArray(2))));
                }
            }
            return result;
        }
    }

    /** Runs under the delivery lock, in tid order. */
    private void deliver(Tid tid, List<Oid> oids) {
        Own mine = own.remove(tid);
        // Visible first: the listener may read the storage and must find the transaction (as for other engines).
        visible = tid;
        CommitListener l = listener;
        if (l != null) {
            try {
                l.committed(mine == null ? null : mine.txn(), tid, mine == null ? oids : mine.oids());
            } catch (RuntimeException e) {
                // The transaction is committed whatever the listener does; its failure is its own.
                LOG.error("commit listener failed for transaction {}", tid, e);
            }
        }
        deliveryLock.notifyAll();
    }

    /** The stream thread's catch-up: everything committed, once someone listens (see {@link #setListener}). */
    private void catchUpForListener() {
        if (listenerSet || !own.isEmpty()) {
            catchUp(null); // this storage's own commits are delivered, listener or not
        }
    }

    private void run() {
        long backoff = MIN_BACKOFF.toMillis();
        boolean warned = false;
        while (!closed) {
            try {
                if (listening == null) {
                    Connection c = db.openDedicated();
                    try {
                        try (Statement s = c.createStatement()) {
                            s.execute("LISTEN " + CHANNEL);
                        }
                        // Listening before reading: a commit after this read is announced, one before it is read.
                        catchUpForListener();
                    } catch (SQLException | RuntimeException e) {
                        c.close();
                        throw e;
                    }
                    listening = c; // only now: isListening() means "listening and caught up"
                    if (closed) {
                        break; // close() may have looked for the connection before it was set
                    }
                    if (warned) {
                        LOG.info("commit stream of PostgreSQL database {} reconnected", db.url());
                    }
                    warned = false;
                    backoff = MIN_BACKOFF.toMillis();
                }
                // Whether a notification came or the poll interval passed, the database says what is new.
                listening.unwrap(PGConnection.class).getNotifications((int) Math.min(Integer.MAX_VALUE,
                        pollInterval.toMillis()));
                if (!closed) {
                    catchUpForListener();
                }
                wakeups.incrementAndGet();
            } catch (SQLException | StorageException e) {
                if (closed) {
                    break;
                }
                if (!warned) {
                    LOG.warn("commit stream of PostgreSQL database {} lost its connection ({}); reconnecting",
                            db.url(), e instanceof SQLException s ? PostgresErrors.firstLine(s) : e.getMessage());
                    warned = true;
                }
                closeListening();
                sleep(backoff);
                backoff = Math.min(backoff * 2, maxBackoff.toMillis());
            } catch (RuntimeException e) {
                LOG.error("commit stream of PostgreSQL database {} failed; retrying", db.url(), e);
                closeListening();
                sleep(maxBackoff.toMillis());
            }
        }
        closeListening();
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            // close() interrupts: the loop checks `closed`.
        }
    }

    private void closeListening() {
        Connection c = listening;
        listening = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // Already broken.
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = listening;
        if (c != null) {
            try {
                c.abort(Runnable::run); // wakes the thread blocked in getNotifications
            } catch (SQLException | RuntimeException e) {
                // It will see `closed` at its next poll.
            }
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (deliveryLock) {
            closeDelivery();
            deliveryLock.notifyAll();
        }
    }
}
