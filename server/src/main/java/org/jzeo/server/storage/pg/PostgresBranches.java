package org.jzeo.server.storage.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.PreparedBranchStore;
import org.jzeo.server.storage.pickle.PickleWriter;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XA branches of a {@link PostgresStorage} as PostgreSQL prepared transactions (schema-2.sql): prepared by the
 * same vote as a plain commit and PREPARE TRANSACTION; committed by COMMIT PREPARED (the durable decision) and
 * applied by {@link BranchApplier}; rolled back by ROLLBACK PREPARED. Every server sharing the database sees every
 * branch, whichever server prepared it and whether that server still runs.
 */
final class PostgresBranches implements PreparedBranchStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBranches.class);
    /** COMMIT/ROLLBACK PREPARED of a gid another session is finishing right now ("is busy"): wait that long. */
    private static final Duration BUSY_WAIT = Duration.ofSeconds(30);
    private static final String UNDEFINED_OBJECT = "42704";
    private static final String DUPLICATE_OBJECT = "42710";
    /** object_not_in_prerequisite_state: what PostgreSQL answers for a prepared transaction that "is busy". */
    private static final String BUSY = "55000";
    private static final String UNIQUE_VIOLATION = "23505";

    private final PostgresStorage storage;
    private final BranchApplier applier;

    PostgresBranches(PostgresStorage storage) {
        this.storage = storage;
        this.applier = new BranchApplier(storage);
    }

    BranchApplier applier() {
        return applier;
    }

    private Database db() {
        return storage.database();
    }

    @Override
    public String unavailableReason() {
        int max = db().read("reading max_prepared_transactions", c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW max_prepared_transactions")) {
                r.next();
                return Integer.parseInt(r.getString(1).trim());
            }
        });
        return max > 0 ? null : "PostgreSQL database " + db().url() + " has max_prepared_transactions = 0: set it"
                + " above 0 (postgresql.conf, then restart PostgreSQL) to offer XA";
    }

    /**
     * Claims {@code gid} for {@code owner} (schema-3.sql), then ends the vote as the prepared transaction, which
     * deletes the claim: it stays visible, and locked, for as long as the branch is prepared.
     */
    @Override
    public void prepare(StorageTransaction voted, String gid, TransactionMetadata metadata, Collection<Oid> checked,
                        String owner) {
        if (!(voted instanceof PostgresTransaction txn)) {
            throw new IllegalArgumentException("not a transaction of " + storage + ": " + voted);
        }
        byte[] extension = metadata.extension().isEmpty() ? new byte[0]
                : PickleWriter.pickleDict(metadata.extension());
        try {
            claim(gid, owner);
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
        txn.endPrepared((c, records) -> {
            try {
                try (PreparedStatement p = c.prepareStatement("DELETE FROM xa_branch_owner"
                        + " WHERE gid = ? AND owner IS NOT DISTINCT FROM ?")) {
                    p.setString(1, gid);
                    p.setString(2, owner);
                    if (p.executeUpdate() != 1) {
                        // A prepare of the same gid through another server replaced the claim meanwhile.
                        throw new DuplicateBranchException("XA branch " + gid + " is being prepared by another"
                                + " server of PostgreSQL database " + db().url());
                    }
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO xa_branch"
                        + " (gid, username, description, extension) VALUES (?, ?, ?, ?)")) {
                    p.setString(1, gid);
                    p.setBytes(2, metadata.user());
                    p.setBytes(3, metadata.description());
                    p.setBytes(4, extension);
                    p.executeUpdate();
                }
                TreeSet<Oid> onlyChecked = new TreeSet<>(checked);
                try (PreparedStatement p = c.prepareStatement("INSERT INTO xa_branch_record"
                        + " (gid, zoid, written, position, state) VALUES (?, ?, ?, ?, ?)")) {
                    int position = 0;
                    for (StagedRecord r : records) {
                        onlyChecked.remove(r.oid());
                        p.setString(1, gid);
                        p.setLong(2, r.oid().value());
                        p.setBoolean(3, true);
                        p.setInt(4, position++);
                        p.setBytes(5, r.state());
                        p.addBatch();
                    }
                    for (Oid oid : onlyChecked) {
                        p.setString(1, gid);
                        p.setLong(2, oid.value());
                        p.setBoolean(3, false);
                        p.setInt(4, -1);
                        p.setBytes(5, null);
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                try (Statement s = c.createStatement()) {
                    s.execute("PREPARE TRANSACTION " + literal(gid));
                }
            } catch (SQLException e) {
                String state = e.getSQLState();
                if (DUPLICATE_OBJECT.equals(state) || UNIQUE_VIOLATION.equals(state)
                        || PostgresErrors.LOCK_NOT_AVAILABLE.equals(state)) {
                    throw new DuplicateBranchException("XA branch " + gid + " is already prepared in PostgreSQL"
                            + " database " + db().url());
                }
                throw e;
            }
        });
    }

    /**
     * Commits the claim of {@code gid} by {@code owner}, replacing a stale one. A claim held by a prepared branch (or
     * one being prepared) is row-locked by it: the wait ends at the lock wait, as a duplicate.
     */
    private void claim(String gid, String owner) {
        db().inTransaction("claiming XA branch " + gid, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL lock_timeout = " + Math.max(1, storage.lockWait().toMillis()));
                // No fsync of its own: the PREPARE TRANSACTION that follows flushes the WAL up to its own record,
                // which lies after this commit's; a crash before that loses a claim of no prepared branch.
                s.execute("SET LOCAL synchronous_commit = off");
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO xa_branch_owner (gid, owner) VALUES (?, ?)"
                    + " ON CONFLICT (gid) DO UPDATE SET owner = EXCLUDED.owner, claimed_at = now()")) {
                p.setString(1, gid);
                p.setString(2, owner);
                p.executeUpdate();
            } catch (SQLException e) {
                if (PostgresErrors.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw new DuplicateBranchException("XA branch " + gid + " is already prepared in PostgreSQL"
                            + " database " + db().url());
                }
                throw e;
            }
            return null;
        });
    }

    /** The claim of a prepared {@code gid}: a claim of a gid not prepared is stale (schema-3.sql). */
    @Override
    public String owner(String gid) {
        return db().read("reading the owner of XA branch " + gid, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT o.owner FROM xa_branch_owner o"
                    + " JOIN pg_prepared_xacts x ON x.gid = o.gid AND x.database = current_database()"
                    + " WHERE o.gid = ?")) {
                p.setString(1, gid);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** COMMIT PREPARED: the decision, durable when it returns. A gid no longer prepared is left to the apply. */
    void commitPrepared(String gid) {
        finishPrepared("COMMIT PREPARED", gid);
    }

    /** Runs COMMIT or ROLLBACK PREPARED; false if no transaction is prepared under {@code gid}. */
    private boolean finishPrepared(String command, String gid) {
        long deadline = System.nanoTime() + BUSY_WAIT.toNanos();
        while (true) {
            Boolean done = db().withConnection(command + " " + gid, c -> {
                try (Statement s = c.createStatement()) {
                    s.execute(command + " " + literal(gid));
                    return Boolean.TRUE;
                } catch (SQLException e) {
                    if (UNDEFINED_OBJECT.equals(e.getSQLState())) {
                        return Boolean.FALSE;
                    }
                    if (BUSY.equals(e.getSQLState()) && System.nanoTime() < deadline) {
                        return null; // another session is finishing it right now: look again shortly
                    }
                    throw e;
                }
            });
            if (done != null) {
                return done;
            }
            try {
                Thread.sleep(CommittedBranches.RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted during " + command + " of XA branch " + gid);
            }
        }
    }

    @Override
    public StorageTransaction committing(String gid) {
        return new BranchCommit(this, gid, false);
    }

    @Override
    public BranchOutcome outcome(String gid) {
        BranchOutcome outcome = db().read("reading the outcome of XA branch " + gid, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT tid, oids FROM xa_outcome WHERE gid = ?")) {
                p.setString(1, gid);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    long tid = rs.getLong(1);
                    if (rs.wasNull()) {
                        return BranchOutcome.ROLLED_BACK;
                    }
                    return new BranchOutcome(Tid.of(tid), PostgresReads.oids(rs.getArray(2)));
                }
            }
        });
        if (outcome != null && outcome.committed() && outcome.tid().isAfter(storage.stream().visible())) {
            // Applied through another server: announced here before anyone is told its tid.
            storage.stream().catchUp(outcome.tid());
        }
        return outcome;
    }

    @Override
    public BranchOutcome rollback(String gid) {
        if (finishPrepared("ROLLBACK PREPARED", gid)) {
            db().withConnection("recording the rollback of XA branch " + gid, c -> {
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO xa_outcome (gid) VALUES (?) ON CONFLICT (gid) DO NOTHING")) {
                    p.setString(1, gid);
                    p.executeUpdate();
                }
                // The rolled back transaction's delete of its claim is undone with it: the claim goes now.
                try (PreparedStatement p = c.prepareStatement("DELETE FROM xa_branch_owner WHERE gid = ?")) {
                    p.setString(1, gid);
                    return p.executeUpdate();
                }
            });
            return BranchOutcome.ROLLED_BACK;
        }
        // Not prepared: decided before. A commit still waiting to be applied is applied now.
        try {
            applier.apply(gid, new BranchCommit(this, gid, true), this);
        } catch (BranchCompletedException e) {
            return e.outcome();
        }
        return outcome(gid);
    }

    @Override
    public List<String> prepared(String prefix) {
        return db().read("listing prepared XA branches", c -> {
            List<String> gids = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT gid FROM pg_prepared_xacts"
                    + " WHERE database = current_database() AND starts_with(gid, ?) ORDER BY prepared")) {
                p.setString(1, prefix);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        gids.add(rs.getString(1));
                    }
                }
            }
            return gids;
        });
    }

    @Override
    public int applyCommitted() {
        int applied = 0;
        for (String gid : committedGids()) {
            if (applyCommitted(gid)) {
                applied++;
            }
        }
        return applied;
    }

    @Override
    public List<String> committedGids() {
        return db().read("listing committed XA branches", c -> {
            List<String> gids = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT gid FROM xa_branch")) {
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
            }
            return gids;
        });
    }

    @Override
    public boolean applyCommitted(String gid) {
        try {
            Tid tid = new BranchCommit(this, gid, true).finish();
            LOG.info("storage '{}': XA branch {}, committed but not applied (its server stopped in between),"
                    + " applied as {}", storage.name(), gid, tid);
            return true;
        } catch (BranchCompletedException e) {
            return false; // applied by another server meanwhile
        }
    }

    @Override
    public void forgetOutcomesBefore(Instant before) {
        db().withConnection("forgetting old XA outcomes", c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM xa_outcome WHERE decided_at < ?")) {
                p.setTimestamp(1, Timestamp.from(before));
                p.executeUpdate();
            }
            // Stale claims (their prepare failed, or their server died before it). An hour at least, whatever the
            // retention: a claim about to be taken over by its PREPARE must not go from under it.
            try (PreparedStatement p = c.prepareStatement("DELETE FROM xa_branch_owner o"
                    + " WHERE claimed_at < least(?, now() - interval '1 hour')"
                    + " AND NOT EXISTS (SELECT 1 FROM pg_prepared_xacts x WHERE x.gid = o.gid)")) {
                p.setTimestamp(1, Timestamp.from(before));
                return p.executeUpdate();
            }
        });
    }

    /** A gid as an SQL string literal (PREPARE TRANSACTION and friends take no parameters). */
    private static String literal(String gid) {
        if (gid.indexOf('\0') >= 0) {
            throw new StorageException("invalid XA gid " + gid);
        }
        return "'" + gid.replace("'", "''") + "'";
    }
}
