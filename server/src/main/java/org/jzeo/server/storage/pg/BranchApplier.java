package org.jzeo.server.storage.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.PreparedBranchStore.BranchCompletedException;
import org.jzeo.storage.StorageTransaction;

/**
 * Applies an XA branch whose commit is decided (COMMIT PREPARED made its rows visible): in one database
 * transaction it writes the branch as a commit (tid chosen under the commit lock now, never at prepare, so tids
 * keep following commit order), records its outcome and deletes its rows, then delivers the commit to the
 * storage's listener under the given handle. Whichever server applies a branch first does it; the others find its
 * rows gone and its outcome recorded.
 */
final class BranchApplier {
    /** As for finish: the locks an apply waits for are held only while others write their rows or step aside. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(60);
    /** FileStorage's record header lengths, for the transaction's size (as PostgresTransaction counts it). */
    private static final int TXN_HEADER_LENGTH = 23;
    private static final int DATA_HEADER_LENGTH = 42;

    private final PostgresStorage storage;

    BranchApplier(PostgresStorage storage) {
        this.storage = storage;
    }

    private record Row(Oid oid, byte[] state) {
    }

    /** The branch's tid and oids once applied here. */
    record Applied(Tid tid, List<Oid> oids) {
    }

    /**
     * Applies branch {@code gid}, announcing it with {@code handle}.
     *
     * @throws BranchCompletedException the branch has no committed rows (applied elsewhere, rolled back or unknown)
     */
    Applied apply(String gid, StorageTransaction handle, PostgresBranches branches) {
        Database db = storage.database();
        Connection c = db.borrowForTransaction("applying XA branch " + gid);
        Tid tid = null;
        List<Oid> oids = new ArrayList<>();
        boolean expected = false;
        try {
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL lock_timeout = " + LOCK_WAIT.toMillis());
            }
            byte[] user;
            byte[] description;
            byte[] extension;
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT username, description, extension FROM xa_branch WHERE gid = ? FOR UPDATE")) {
                p.setString(1, gid);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        Database.giveBack(c);
                        c = null;
                        throw new BranchCompletedException("XA branch " + gid + " is not committed and waiting to be"
                                + " applied", branches.outcome(gid));
                    }
                    user = rs.getBytes(1);
                    description = rs.getBytes(2);
                    extension = rs.getBytes(3);
                }
            }
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT zoid, state FROM xa_branch_record"
                    + " WHERE gid = ? AND written ORDER BY position")) {
                p.setString(1, gid);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(Oid.of(rs.getLong(1)), rs.getBytes(2)));
                    }
                }
            }
            rows.forEach(r -> oids.add(r.oid()));
            Long[] zoids = oids.stream().map(Oid::value).toArray(Long[]::new);
            long newObjects = 0;
            if (!rows.isEmpty()) {
                // Voters that took these rows step aside as soon as they see the branch (CommittedBranches).
                try (PreparedStatement p = c.prepareStatement("SELECT tid FROM current_object"
                        + " WHERE zoid = ANY(?) ORDER BY zoid FOR UPDATE")) {
                    p.setArray(1, c.createArrayOf("bigint", zoids));
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getLong(1) == 0) {
                                newObjects++; // its row was made by the branch's vote, for its first revision
                            }
                        }
                    }
                }
            }
            long lastTid;
            long highestOid;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT last_tid, (SELECT CASE WHEN q.is_called THEN q.last_value ELSE q.last_value - 1 END"
                            + " FROM zoid_seq q) FROM commit_lock FOR UPDATE")) {
                rs.next();
                lastTid = rs.getLong(1);
                highestOid = rs.getLong(2);
            }
            tid = Tid.newTid(Instant.now(), Tid.of(lastTid));
            long size = TXN_HEADER_LENGTH + user.length + description.length + extension.length;
            for (Row r : rows) {
                size += DATA_HEADER_LENGTH + (r.state() == null ? 8 : r.state().length);
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO transaction"
                    + " (tid, username, description, extension, packed, size) VALUES (?, ?, ?, ?, false, ?)")) {
                p.setLong(1, tid.value());
                p.setBytes(2, user);
                p.setBytes(3, description);
                p.setBytes(4, extension);
                p.setLong(5, size);
                p.executeUpdate();
            }
            long maxOid = 0;
            if (!rows.isEmpty()) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO object_state"
                        + " (zoid, tid, position, data_tid, state) VALUES (?, ?, ?, NULL, ?)")) {
                    int position = 0;
                    for (Row r : rows) {
                        p.setLong(1, r.oid().value());
                        p.setLong(2, tid.value());
                        p.setInt(3, position++);
                        p.setBytes(4, r.state());
                        p.addBatch();
                        maxOid = Math.max(maxOid, r.oid().value());
                    }
                    p.executeBatch();
                }
                try (PreparedStatement p = c.prepareStatement(
                        "UPDATE current_object SET tid = ? WHERE zoid = ANY(?)")) {
                    p.setLong(1, tid.value());
                    p.setArray(2, c.createArrayOf("bigint", zoids));
                    p.executeUpdate();
                }
            }
            if (maxOid > highestOid) {
                PostgresTransaction.raiseOidSequence(c, maxOid);
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE commit_lock SET last_tid = ?,"
                    + " object_count = object_count + ?, data_size = data_size + ?")) {
                p.setLong(1, tid.value());
                p.setLong(2, newObjects);
                p.setLong(3, size);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO xa_outcome (gid, tid, oids) VALUES (?, ?, ?)")) {
                p.setString(1, gid);
                p.setLong(2, tid.value());
                p.setArray(3, c.createArrayOf("bigint", zoids));
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM xa_branch WHERE gid = ?")) {
                p.setString(1, gid); // its records go with it (ON DELETE CASCADE): the window closes here
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("SELECT pg_notify('" + CommitStream.CHANNEL + "', ?)")) {
                p.setString(1, Long.toString(tid.value()));
                p.executeQuery().close();
            }
            storage.stream().expectOwn(tid, handle, List.copyOf(oids));
            expected = true;
            c.commit();
        } catch (SQLException | RuntimeException e) {
            if (expected) {
                storage.stream().forgetOwn(tid);
            }
            if (c != null) {
                Database.giveBack(c);
            }
            if (e instanceof SQLException s) {
                throw db.errors().translate("applying XA branch " + gid, s);
            }
            throw (RuntimeException) e;
        }
        Database.giveBack(c);
        storage.stream().deliverOwn(tid, Database.CONNECTION_TIMEOUT.multipliedBy(12));
        return new Applied(tid, List.copyOf(oids));
    }
}
