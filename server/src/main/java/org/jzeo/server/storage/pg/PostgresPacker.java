package org.jzeo.server.storage.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;

/**
 * Pack in the database, with FileStorage's semantics (filestorage-format spec §9) as the in-memory storage shows
 * them: history before the pack time is removed except each object's revision current at the pack time (when it
 * has data and, with gc, is reachable from the root then) and revisions that later records point back to; kept
 * transactions before the pack time become packed ('p', not undoable); transactions left empty vanish.
 *
 * <p>Reachability is as wide as the in-memory storage's: objects referred to by revisions after the pack time are
 * roots too. An object reachable at the pack time without data then, or a record the reference finder cannot
 * read, fails the pack before anything is removed.
 *
 * <p>States are streamed (cursors, batches); only the set of reachable oids is held in memory. Reads and votes go
 * on throughout; commits wait only for the final step, which takes the commit lock, looks at what was committed
 * since the analysis (it may refer to objects again) and deletes, all in one database transaction.
 */
final class PostgresPacker {
    /** One pack at a time over the whole database ('jzeo' + 3). */
    private static final long PACK_LOCK = 0x6a7a656f_00000003L;
    private static final int BATCH = 1000;
    private static final int FETCH = 500;

    private final Database db;
    private final ReferenceFinder finder;

    PostgresPacker(Database db, ReferenceFinder finder) {
        this.db = db;
        this.finder = finder;
    }

    /** Packs to {@code packTime}, which must not be after the storage's visible tid. */
    void pack(Tid packTime, boolean gc) {
        db.withConnection("packing", guard -> {
            if (!tryLock(guard)) {
                throw new StorageException("Already packing");
            }
            try {
                db.inTransaction("packing", c -> {
                    run(c, packTime, gc);
                    return null;
                });
            } finally {
                try (Statement s = guard.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(" + PACK_LOCK + ")");
                }
            }
            return null;
        });
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT pg_try_advisory_lock(" + PACK_LOCK + ")")) {
            r.next();
            return r.getBoolean(1);
        }
    }

    private void run(Connection c, Tid packTime, boolean gc) throws SQLException {
        long pack = packTime.value();
        try (Statement s = c.createStatement()) {
            // Each object's revision current at the pack time. Nothing at or before the pack time changes while
            // this runs: new commits have higher tids, and other packs wait for the pack lock.
            s.execute("CREATE TEMP TABLE pack_current ON COMMIT DROP AS SELECT DISTINCT ON (zoid) zoid, tid,"
                    + " state IS NOT NULL AS has_data FROM object_state WHERE tid <= " + pack
                    + " ORDER BY zoid, tid DESC");
            s.execute("ALTER TABLE pack_current ADD PRIMARY KEY (zoid)");
            s.execute("ANALYZE pack_current");
            s.execute("CREATE TEMP TABLE pack_reachable (zoid bigint PRIMARY KEY) ON COMMIT DROP");
        }
        Reachability reach = gc ? new Reachability(c, pack) : null;
        long analysedUpTo = lastTid(c, false);
        if (reach != null) {
            reach.fromRoot();
            reach.fromLaterRevisions(pack, analysedUpTo);
        }
        // From here on commits wait: what they wrote since the analysis is looked at, then the deletion is atomic.
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = 60000");
        }
        long lockedUpTo = lastTid(c, true);
        if (reach != null) {
            reach.fromLaterRevisions(analysedUpTo, lockedUpTo);
            reach.flush();
        }
        if (delete(c, pack, gc) == 0) {
            c.rollback(); // nothing to drop: leave statuses as they are
        }
    }

    private static long lastTid(Connection c, boolean lock) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT last_tid FROM commit_lock" + (lock ? " FOR UPDATE" : ""))) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Deletes what the pack drops; returns the number of transactions that lost records (0: nothing changed). */
    private static int delete(Connection c, long pack, boolean gc) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE pack_kept ON COMMIT DROP AS SELECT p.zoid, p.tid FROM pack_current p"
                    + " WHERE p.has_data" + (gc ? " AND EXISTS (SELECT 1 FROM pack_reachable r WHERE r.zoid = p.zoid)"
                    : ""));
            s.execute("ALTER TABLE pack_kept ADD PRIMARY KEY (zoid, tid)");
            s.execute("ANALYZE pack_kept");
            // The transactions whose records change: only their sizes need computing again.
            s.execute("CREATE TEMP TABLE pack_touched (tid bigint PRIMARY KEY) ON COMMIT DROP");
            int touched = s.executeUpdate("WITH removed AS (DELETE FROM object_state o USING pack_current p"
                    + " WHERE o.zoid = p.zoid AND o.tid <= " + pack
                    + " AND NOT EXISTS (SELECT 1 FROM pack_kept k WHERE k.zoid = o.zoid AND k.tid = o.tid)"
                    // FileStorage keeps a record that a later record points back to
                    + " AND NOT EXISTS (SELECT 1 FROM object_state l WHERE l.zoid = o.zoid AND l.tid > " + pack
                    + " AND l.data_tid = o.tid) RETURNING o.tid)"
                    + " INSERT INTO pack_touched SELECT DISTINCT tid FROM removed");
            if (touched == 0) {
                return 0;
            }
            // Kept revisions before the pack time hold their state in place (pack rewrites back pointers).
            s.executeUpdate("WITH inlined AS (UPDATE object_state SET data_tid = NULL WHERE tid <= " + pack
                    + " AND data_tid IS NOT NULL RETURNING tid)"
                    + " INSERT INTO pack_touched SELECT DISTINCT tid FROM inlined ON CONFLICT DO NOTHING");
            // Transactions left without records vanish (those that lost them, and empty ones not yet packed).
            s.executeUpdate("DELETE FROM transaction t WHERE t.tid <= " + pack
                    + " AND (NOT t.packed OR t.tid IN (SELECT tid FROM pack_touched))"
                    + " AND NOT EXISTS (SELECT 1 FROM object_state o WHERE o.tid = t.tid)");
            s.executeUpdate("UPDATE transaction SET packed = true WHERE tid <= " + pack + " AND NOT packed");
            s.executeUpdate("UPDATE transaction t SET size = 23 + length(t.username) + length(t.description)"
                    + " + length(t.extension) + (SELECT coalesce(sum(42 + CASE WHEN o.state IS NULL THEN 8"
                    + " ELSE length(o.state) END), 0) FROM object_state o WHERE o.tid = t.tid)"
                    + " FROM pack_touched k WHERE t.tid = k.tid");
            s.executeUpdate("DELETE FROM current_object c USING pack_current p WHERE c.zoid = p.zoid"
                    + " AND NOT EXISTS (SELECT 1 FROM object_state o WHERE o.zoid = c.zoid)");
            s.executeUpdate("UPDATE commit_lock SET object_count = (SELECT count(*) FROM current_object"
                    + " WHERE tid <> 0), data_size = (SELECT coalesce(sum(size), 0) FROM transaction)");
            return touched;
        }
    }

    /** Garbage collection's walk: the oids reachable at the pack time, kept as longs and in pack_reachable. */
    private final class Reachability {
        private final Connection c;
        private final long pack;
        private final Set<Long> reachable = new HashSet<>();
        private final List<Long> unsaved = new ArrayList<>();

        Reachability(Connection c, long pack) {
            this.c = c;
            this.pack = pack;
        }

        void fromRoot() throws SQLException {
            Boolean rootHasData = null;
            boolean anyData;
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT (SELECT has_data FROM pack_current WHERE zoid = 0),"
                         + " EXISTS (SELECT 1 FROM pack_current WHERE has_data)")) {
                r.next();
                boolean root = r.getBoolean(1);
                rootHasData = r.wasNull() ? null : root;
                anyData = r.getBoolean(2);
            }
            if (Boolean.TRUE.equals(rootHasData)) {
                walk(List.of(0L), true);
            } else if (anyData) {
                throw new StorageException("pack failed: the root object " + Oid.ROOT + " has no data at pack time "
                        + Tid.of(pack) + " although other objects do");
            }
        }

        /** What revisions in {@code (after, upTo]} refer to is a root too, if it had data at the pack time. */
        void fromLaterRevisions(long after, long upTo) throws SQLException {
            if (upTo <= after) {
                return;
            }
            Set<Long> seeds = new HashSet<>();
            try (PreparedStatement p = c.prepareStatement("SELECT zoid, state FROM object_state"
                    + " WHERE tid > ? AND tid <= ? AND state IS NOT NULL")) {
                p.setFetchSize(FETCH);
                p.setLong(1, after);
                p.setLong(2, upTo);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        for (Oid ref : finder.references(Oid.of(r.getLong(1)), r.getBytes(2))) {
                            if (!reachable.contains(ref.value())) {
                                seeds.add(ref.value());
                            }
                        }
                    }
                }
            }
            walk(seeds, false);
        }

        /**
         * Marks {@code start} and everything reachable from it. {@code strict}: every start oid must have data at
         * the pack time (referenced oids always must).
         */
        private void walk(java.util.Collection<Long> start, boolean strict) throws SQLException {
            Deque<Long> todo = new ArrayDeque<>(start);
            Set<Long> mayBeMissing = strict ? Set.of() : new HashSet<>(start);
            while (!todo.isEmpty()) {
                Set<Long> batch = new java.util.LinkedHashSet<>();
                while (!todo.isEmpty() && batch.size() < BATCH) {
                    long oid = todo.pop();
                    if (!reachable.contains(oid)) {
                        batch.add(oid);
                    }
                }
                if (batch.isEmpty()) {
                    continue;
                }
                Set<Long> found = new HashSet<>();
                try (PreparedStatement p = c.prepareStatement("SELECT p.zoid, o.state FROM pack_current p"
                        + " JOIN object_state o ON o.zoid = p.zoid AND o.tid = p.tid"
                        + " WHERE p.zoid = ANY(?) AND p.has_data")) {
                    p.setArray(1, c.createArrayOf("bigint", batch.toArray(Long[]::new)));
                    try (ResultSet r = p.executeQuery()) {
                        while (r.next()) {
                            long oid = r.getLong(1);
                            found.add(oid);
                            mark(oid);
                            for (Oid ref : finder.references(Oid.of(oid), r.getBytes(2))) {
                                if (!reachable.contains(ref.value())) {
                                    todo.push(ref.value());
                                }
                            }
                        }
                    }
                }
                for (long oid : batch) {
                    if (!found.contains(oid) && !mayBeMissing.contains(oid)) {
                        throw new StorageException("pack failed: oid " + Oid.of(oid) + " is reachable at pack"
                                + " time " + Tid.of(pack) + " but has no data then (a dangling reference)");
                    }
                }
            }
        }

        private void mark(long oid) throws SQLException {
            if (reachable.add(oid)) {
                unsaved.add(oid);
                if (unsaved.size() >= BATCH * 10) {
                    flush();
                }
            }
        }

        /** Writes the newly marked oids to pack_reachable, which the deletion joins. */
        void flush() throws SQLException {
            if (unsaved.isEmpty()) {
                return;
            }
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO pack_reachable SELECT unnest(?::bigint[]) ON CONFLICT DO NOTHING")) {
                p.setArray(1, c.createArrayOf("bigint", unsaved.toArray(Long[]::new)));
                p.executeUpdate();
            }
            unsaved.clear();
        }
    }
}
