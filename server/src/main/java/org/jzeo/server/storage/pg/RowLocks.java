package org.jzeo.server.storage.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;

/**
 * A vote's object locks, as PostgreSQL row locks on {@code current_object}: {@code FOR UPDATE} for the oids a
 * transaction writes, {@code FOR SHARE} for those it only checks, taken in ascending oid order (runs of one mode
 * at a time, so the order holds across modes and two voters never wait for each other in a cycle). The wait is
 * bounded by the transaction's {@code lock_timeout}; the locks last until its COMMIT or ROLLBACK.
 *
 * <p>The statements run on a helper thread while the voter waits for them: the voter is then parked, not stuck in
 * a socket read, so {@link Waiting#cancel()} from another thread (a client that disconnected) both cancels the
 * statement in PostgreSQL and is seen at once, and tools that look for a blocked voter find it waiting.
 */
final class RowLocks {
    private final ExecutorService helpers;
    private final Database db;

    RowLocks(ExecutorService helpers, Database db) {
        this.helpers = helpers;
        this.db = db;
    }

    /** A lock wait in progress, which another thread may cancel. */
    static final class Waiting {
        private volatile Statement running;
        private volatile boolean cancelled;

        void cancel() {
            cancelled = true;
            Statement s = running;
            if (s != null) {
                try {
                    s.cancel();
                } catch (SQLException e) {
                    // The statement ended meanwhile.
                }
            }
        }

        boolean isCancelled() {
            return cancelled;
        }
    }

    /**
     * Locks {@code written} (creating the rows of new objects, with tid 0) and {@code checked}, and returns the
     * committed tid of each locked oid that has one: absent for an oid unknown to the database (or new).
     */
    Map<Oid, Tid> lock(Connection c, SortedSet<Oid> written, SortedSet<Oid> checked, Waiting waiting) {
        if (waiting.isCancelled()) {
            throw cancelled(null);
        }
        if (written.isEmpty() && checked.isEmpty()) {
            return Map.of(); // nothing to lock (an empty transaction)
        }
        Future<Map<Oid, Tid>> f = helpers.submit(() -> lockNow(c, written, checked, waiting));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    // The connection is in use by the helper: cancel its statement and wait for it to let go.
                    interrupted = true;
                    waiting.cancel();
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof LockFailure lf) {
                throw lf.conflict;
            }
            if (cause instanceof SQLException s) {
                throw db.errors().translate("locking objects", s);
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new StorageException("locking objects failed: " + cause, cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Carries the conflict of a failed lock statement out of the helper. */
    private static final class LockFailure extends Exception {
        final ConflictException conflict;

        LockFailure(ConflictException conflict) {
            super(conflict.getMessage(), null, false, false);
            this.conflict = conflict;
        }
    }

    private Map<Oid, Tid> lockNow(Connection c, SortedSet<Oid> written, SortedSet<Oid> checked, Waiting waiting)
            throws SQLException, LockFailure {
        Map<Oid, Tid> committed = new HashMap<>();
        if (!written.isEmpty()) {
            runStatement(c, waiting, written, null,
                    "INSERT INTO current_object (zoid, tid) SELECT z, 0 FROM unnest(?::bigint[]) AS z ORDER BY z"
                            + " ON CONFLICT (zoid) DO NOTHING");
        }
        TreeMap<Oid, Boolean> all = new TreeMap<>(); // oid -> exclusive
        checked.forEach(o -> all.put(o, false));
        written.forEach(o -> all.put(o, true));
        List<Oid> run = new ArrayList<>();
        Boolean runMode = null;
        for (Map.Entry<Oid, Boolean> e : all.entrySet()) {
            if (runMode != null && !runMode.equals(e.getValue())) {
                lockRun(c, waiting, run, runMode, committed);
                run.clear();
            }
            runMode = e.getValue();
            run.add(e.getKey());
        }
        if (!run.isEmpty()) {
            lockRun(c, waiting, run, runMode, committed);
        }
        return committed;
    }

    private void lockRun(Connection c, Waiting waiting, List<Oid> run, boolean exclusive, Map<Oid, Tid> committed)
            throws SQLException, LockFailure {
        String sql = "SELECT zoid, tid FROM current_object WHERE zoid = ANY(?) ORDER BY zoid"
                + (exclusive ? " FOR UPDATE" : " FOR SHARE");
        runStatement(c, waiting, run, rs -> {
            while (rs.next()) {
                long tid = rs.getLong(2);
                if (tid != 0) {
                    committed.put(Oid.of(rs.getLong(1)), Tid.of(tid));
                }
            }
        }, sql);
    }

    @FunctionalInterface
    private interface Rows {
        void read(ResultSet rs) throws SQLException;
    }

    private void runStatement(Connection c, Waiting waiting, java.util.Collection<Oid> oids, Rows rows, String sql)
            throws SQLException, LockFailure {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setArray(1, c.createArrayOf("bigint", oids.stream().map(Oid::value).toArray(Long[]::new)));
            waiting.running = p;
            if (waiting.isCancelled()) {
                throw new LockFailure(cancelled(oids.iterator().next()));
            }
            if (rows == null) {
                p.executeUpdate();
            } else {
                try (ResultSet rs = p.executeQuery()) {
                    rows.read(rs);
                }
            }
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (PostgresErrors.QUERY_CANCELED.equals(state) && waiting.isCancelled()) {
                throw new LockFailure(cancelled(oids.iterator().next()));
            }
            if (PostgresErrors.LOCK_NOT_AVAILABLE.equals(state) || PostgresErrors.DEADLOCK_DETECTED.equals(state)
                    || PostgresErrors.SERIALIZATION_FAILURE.equals(state)) {
                throw new LockFailure(db.errors().lockConflict("voting", heldOid(oids, rows != null, sql), e));
            }
            throw e;
        } finally {
            waiting.running = null;
        }
    }

    /**
     * Which of {@code oids} another transaction holds, for the conflict's message: the first one a probe that
     * skips locked rows does not get (the probe's locks end with its own rollback at once).
     */
    private Oid heldOid(java.util.Collection<Oid> oids, boolean lockStatement, String sql) {
        Oid first = oids.iterator().next();
        if (oids.size() == 1 || !lockStatement) {
            return first;
        }
        try {
            return db.inTransaction("finding the locked oid", c -> {
                Set<Long> free = new HashSet<>();
                try (PreparedStatement p = c.prepareStatement(sql + " SKIP LOCKED")) {
                    p.setArray(1, c.createArrayOf("bigint", oids.stream().map(Oid::value).toArray(Long[]::new)));
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            free.add(rs.getLong(1));
                        }
                    }
                }
                c.rollback();
                return oids.stream().filter(o -> !free.contains(o.value())).findFirst().orElse(first);
            });
        } catch (StorageException e) {
            return first;
        }
    }

    private static ConflictException cancelled(Oid oid) {
        return new ConflictException("gave up waiting for object locks: the transaction was cancelled", oid, null,
                null);
    }
}
