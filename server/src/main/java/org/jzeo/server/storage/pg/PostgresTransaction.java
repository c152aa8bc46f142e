package org.jzeo.server.storage.pg;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadConflictException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.api.Tid;
import org.jzeo.api.UndoException;
import org.jzeo.server.storage.pickle.PickleWriter;
import org.jzeo.storage.Operation;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;

/**
 * One transaction of a {@link PostgresStorage}: operations are recorded in memory until vote; the vote opens a
 * database transaction on a pooled connection, locks the objects' {@code current_object} rows (so the locks hold
 * across every server sharing the database) and checks serials against what is committed; finish takes the global
 * commit lock, chooses the tid, writes the rows, NOTIFYs the other servers and COMMITs (durable when it returns),
 * then delivers the commit to the storage's listener. The connection is held from vote to finish or abort only.
 *
 * <p>States: OPEN → (vote) VOTED → (finish) FINISHED; any state → (abort, or a failed vote) ABORTED. After a vote
 * that answered conflicts (client-side conflict resolution) the transaction is OPEN again with its database
 * transaction and locks kept.
 */
final class PostgresTransaction implements StorageTransaction {
    /** How long finish waits for the commit lock: it is held only while one transaction writes its rows. */
    private static final Duration COMMIT_LOCK_WAIT = Duration.ofSeconds(60);
    /** Serializes raising the oid sequence against handing oids out ('jzeo' + 2). */
    static final long OID_LOCK = 0x6a7a656f_00000002L;
    private static final int TXN_HEADER_LENGTH = 23;
    private static final int DATA_HEADER_LENGTH = 42;
    private static final int BACK_POINTER_LENGTH = 8;

    private enum State { OPEN, VOTED, FINISHED, ABORTED }

    private final PostgresStorage storage;
    private final TransactionMetadata metadata;
    private final List<Operation> operations = new ArrayList<>();
    private final RowLocks.Waiting waiting = new RowLocks.Waiting();
    private State state = State.OPEN;
    private boolean resolving;
    private Connection connection;
    /** Committed tids of the locked oids (absent: new or unknown), as read under the locks. */
    private Map<Oid, Tid> committed = Map.of();
    private List<StagedRecord> prepared;

    PostgresTransaction(PostgresStorage storage, TransactionMetadata metadata) {
        this.storage = storage;
        this.metadata = metadata;
    }

    @Override
    public TransactionMetadata metadata() {
        return metadata;
    }

    // ------------------------------------------------------------------------------------ recording operations

    @Override
    public void store(Oid oid, Tid serial, byte[] data) {
        if (resolving) {
            // After a vote that answered conflicts, the client's resolved data replaces the conflicting store.
            operations.removeIf(op -> op instanceof Operation.Store && oid.equals(op.oid()));
        }
        add(new Operation.Store(oid, serial, data.clone()));
    }

    @Override
    public void checkCurrentSerial(Oid oid, Tid serial) {
        add(new Operation.CheckCurrent(oid, serial));
    }

    @Override
    public void delete(Oid oid, Tid serial) {
        add(new Operation.Delete(oid, serial));
    }

    @Override
    public void restore(Oid oid, Tid serial, byte[] data, Tid prevTxn) {
        add(new Operation.Restore(oid, serial, data == null ? null : data.clone(), prevTxn));
    }

    @Override
    public void undo(byte[] transactionId) {
        Operation.Undo undo = new Operation.Undo(transactionId.clone());
        undo.tid(); // a malformed id is refused by this call, not later by the vote
        add(undo);
    }

    private void add(Operation op) {
        requireState(State.OPEN, "add to");
        if (storage.isReadOnly()) {
            throw new ReadOnlyException("the storage is read-only");
        }
        operations.add(op);
    }

    // ------------------------------------------------------------------------------------ vote

    @Override
    public List<Oid> vote() {
        requireState(State.OPEN, "vote");
        boolean ok = false;
        try {
            List<Oid> undone = prepare(null);
            state = State.VOTED;
            ok = true;
            return undone;
        } finally {
            if (!ok) {
                abort();
            }
        }
    }

    @Override
    public Vote voteAllowingConflicts() {
        requireState(State.OPEN, "vote");
        boolean ok = false;
        try {
            List<ConflictException> conflicts = new ArrayList<>();
            List<Oid> undone = prepare(conflicts);
            ok = true;
            if (!conflicts.isEmpty()) {
                prepared = null;
                resolving = true;
                return new Vote(List.of(), conflicts); // open, database transaction and locks kept
            }
            state = State.VOTED;
            return new Vote(undone, List.of());
        } finally {
            if (!ok) {
                abort();
            }
        }
    }

    /** Locks, checks and stages the records; store conflicts are thrown, or collected when a list is given. */
    private List<Oid> prepare(List<ConflictException> storeConflicts) {
        if (storage.isReadOnly()) {
            throw new ReadOnlyException("the storage is read-only");
        }
        if (connection == null) {
            connection = storage.database().borrowForTransaction("voting");
        }
        try {
            try (Statement s = connection.createStatement()) {
                s.execute("SET LOCAL lock_timeout = " + Math.max(1, storage.lockWait().toMillis()));
            }
            Tid visible = storage.stream().visible();
            TreeSet<Oid> written = new TreeSet<>();
            TreeSet<Oid> checked = new TreeSet<>();
            Map<Tid, List<Oid>> undoneOids = new LinkedHashMap<>();
            for (Operation op : operations) {
                if (op instanceof Operation.Undo u) {
                    List<Oid> oids = undoableOids(u.tid(), visible);
                    undoneOids.put(u.tid(), oids);
                    written.addAll(oids);
                } else if (op instanceof Operation.CheckCurrent) {
                    checked.add(op.oid());
                } else {
                    written.add(op.oid());
                }
            }
            checked.removeAll(written);
            committed = storage.rowLocks().lock(connection, written, checked, waiting);

            Map<Oid, StagedRecord> records = new LinkedHashMap<>();
            List<Oid> undone = new ArrayList<>();
            for (Operation op : operations) {
                if (op instanceof Operation.Store st) {
                    ConflictException conflict = serialConflict(st.oid(), st.serial());
                    if (conflict == null) {
                        records.put(st.oid(), new StagedRecord(st.oid(), st.data(), null));
                    } else if (storeConflicts == null) {
                        throw revealed(conflict);
                    } else {
                        storeConflicts.add(revealed(conflict));
                    }
                } else if (op instanceof Operation.CheckCurrent c) {
                    Tid current = committed.get(c.oid());
                    if (current == null) {
                        throw new POSKeyException(c.oid());
                    }
                    if (!current.equals(c.serial())) {
                        throw revealed(new ReadConflictException(c.oid(), current, c.serial()));
                    }
                } else if (op instanceof Operation.Delete d) {
                    Tid current = committed.get(d.oid());
                    if (current == null) {
                        throw new POSKeyException(d.oid());
                    }
                    if (!current.equals(d.serial())) {
                        throw revealed(new ConflictException(d.oid(), current, d.serial()));
                    }
                    records.put(d.oid(), new StagedRecord(d.oid(), null, null));
                } else if (op instanceof Operation.Restore r) {
                    records.put(r.oid(), restored(r));
                } else if (op instanceof Operation.Undo u) {
                    for (StagedRecord record : planUndo(u.tid(), records)) {
                        records.put(record.oid(), record);
                        undone.add(record.oid());
                    }
                } else {
                    throw new StorageException("this storage keeps no blobs (no blob directory): cannot store the"
                            + " blob of oid " + op.oid());
                }
            }
            prepared = List.copyOf(records.values());
            return List.copyOf(new LinkedHashSet<>(undone));
        } catch (SQLException e) {
            throw storage.database().errors().translate("voting", e);
        }
    }

    /** The conflict of a store that read {@code serial}, or null when that is the committed revision. */
    private ConflictException serialConflict(Oid oid, Tid serial) {
        Tid current = committed.get(oid);
        return current != null && !current.equals(serial) ? new ConflictException(oid, current, serial) : null;
    }

    /**
     * A conflict names the committed serial: if another server committed it and this storage has not delivered it
     * yet, deliver it first, so that a client never learns of a tid before its invalidation.
     */
    private <E extends ConflictException> E revealed(E conflict) {
        Tid serial = conflict.committedSerial();
        if (serial != null && serial.isAfter(storage.stream().visible())) {
            storage.stream().catchUp(serial);
        }
        return conflict;
    }

    private StagedRecord restored(Operation.Restore r) throws SQLException {
        if (r.data() != null) {
            return new StagedRecord(r.oid(), r.data(), null);
        }
        if (r.prevTxn() == null) {
            return new StagedRecord(r.oid(), null, null);
        }
        try (PreparedStatement p = connection.prepareStatement(
                "SELECT state FROM object_state WHERE zoid = ? AND tid = ?")) {
            p.setLong(1, r.oid().value());
            p.setLong(2, r.prevTxn().value());
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new POSKeyException(r.oid(), "cannot restore oid " + r.oid() + " from transaction "
                            + r.prevTxn() + ": it has no record of that object");
                }
                return new StagedRecord(r.oid(), rs.getBytes(1), r.prevTxn());
            }
        }
    }

    /** The oids written by transaction {@code tid}, which must exist (up to {@code visible}) and be undoable. */
    private List<Oid> undoableOids(Tid tid, Tid visible) throws SQLException {
        try (PreparedStatement p = connection.prepareStatement("SELECT packed FROM transaction WHERE tid = ?")) {
            p.setLong(1, tid.value());
            try (ResultSet rs = p.executeQuery()) {
                if (tid.isAfter(visible) || !rs.next()) {
                    throw new UndoException("Invalid transaction id: no transaction " + tid, null);
                }
                if (rs.getBoolean(1)) {
                    throw new UndoException("non-undoable transaction " + tid + " (status 'p')", null);
                }
            }
        }
        List<Oid> oids = new ArrayList<>();
        try (PreparedStatement p = connection.prepareStatement(
                "SELECT zoid FROM object_state WHERE tid = ? ORDER BY position")) {
            p.setLong(1, tid.value());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    oids.add(Oid.of(rs.getLong(1)));
                }
            }
        }
        return oids;
    }

    /**
     * Undo as FileStorage does it (filestorage-format spec §8): a record can be undone if it is still its object's
     * current revision (counting what this transaction already staged), or if the current state is byte-identical
     * to it; the undo record then repeats the revision before it, or has no data when the undone record created the
     * object. Runs under the objects' locks, so what it reads stays current until finish.
     */
    private List<StagedRecord> planUndo(Tid tid, Map<Oid, StagedRecord> pending) throws SQLException {
        List<StagedRecord> records = new ArrayList<>();
        List<UndoException> errors = new ArrayList<>();
        try (PreparedStatement p = connection.prepareStatement(
                "SELECT u.zoid, u.state, o.tid, cur.state, prev.tid, prev.state"
                        + " FROM object_state u"
                        + " JOIN current_object o ON o.zoid = u.zoid"
                        + " LEFT JOIN object_state cur ON cur.zoid = u.zoid AND cur.tid = o.tid"
                        + " LEFT JOIN LATERAL (SELECT tid, state FROM object_state b WHERE b.zoid = u.zoid"
                        + " AND b.tid < u.tid ORDER BY b.tid DESC LIMIT 1) prev ON true"
                        + " WHERE u.tid = ? ORDER BY u.position")) {
            p.setLong(1, tid.value());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    Oid oid = Oid.of(rs.getLong(1));
                    byte[] undoneState = rs.getBytes(2);
                    long currentTid = rs.getLong(3);
                    byte[] currentState = rs.getBytes(4);
                    long previousTid = rs.getLong(5);
                    boolean hasPrevious = !rs.wasNull();
                    byte[] previousState = rs.getBytes(6);
                    StagedRecord staged = pending.get(oid);
                    boolean undoable = staged == null
                            ? currentTid == tid.value() || Arrays.equals(currentState, undoneState)
                            : Arrays.equals(staged.state(), undoneState);
                    if (!undoable) {
                        errors.add(new UndoException(hasPrevious
                                ? "Some data were modified by a later transaction"
                                : "Can't undo an add transaction followed by conflicting transactions", oid));
                        continue;
                    }
                    records.add(hasPrevious
                            ? new StagedRecord(oid, previousState, Tid.of(previousTid))
                            : new StagedRecord(oid, null, null));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw UndoException.of(errors);
        }
        return records;
    }

    // ------------------------------------------------------------------------------------ finish, abort

    @Override
    public Tid finish() {
        requireState(State.VOTED, "finish");
        Tid tid = null;
        boolean expected = false;
        try {
            Connection c = connection;
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL lock_timeout = " + COMMIT_LOCK_WAIT.toMillis());
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
            tid = chooseTid(Tid.of(lastTid));
            byte[] extension = metadata.extension().isEmpty() ? new byte[0]
                    : PickleWriter.pickleDict(metadata.extension());
            long size = size(extension);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO transaction"
                    + " (tid, username, description, extension, packed, size) VALUES (?, ?, ?, ?, ?, ?)")) {
                p.setLong(1, tid.value());
                p.setBytes(2, metadata.user());
                p.setBytes(3, metadata.description());
                p.setBytes(4, extension);
                p.setBoolean(5, metadata.status() == 'p');
                p.setLong(6, size);
                p.executeUpdate();
            }
            long maxOid = 0;
            long newObjects = 0;
            if (!prepared.isEmpty()) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO object_state"
                        + " (zoid, tid, position, data_tid, state) VALUES (?, ?, ?, ?, ?)")) {
                    int position = 0;
                    for (StagedRecord r : prepared) {
                        p.setLong(1, r.oid().value());
                        p.setLong(2, tid.value());
                        p.setInt(3, position++);
                        if (r.dataTid() == null) {
                            p.setNull(4, java.sql.Types.BIGINT);
                        } else {
                            p.setLong(4, r.dataTid().value());
                        }
                        p.setBytes(5, r.state());
                        p.addBatch();
                        maxOid = Math.max(maxOid, r.oid().value());
                        if (!committed.containsKey(r.oid())) {
                            newObjects++;
                        }
                    }
                    p.executeBatch();
                }
                try (PreparedStatement p = c.prepareStatement(
                        "UPDATE current_object SET tid = ? WHERE zoid = ANY(?)")) {
                    p.setLong(1, tid.value());
                    p.setArray(2, c.createArrayOf("bigint",
                            prepared.stream().map(r -> r.oid().value()).toArray(Long[]::new)));
                    p.executeUpdate();
                }
            }
            if (maxOid > highestOid) {
                raiseOidSequence(c, maxOid);
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE commit_lock SET last_tid = ?,"
                    + " object_count = object_count + ?, data_size = data_size + ?")) {
                p.setLong(1, tid.value());
                p.setLong(2, newObjects);
                p.setLong(3, size);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("SELECT pg_notify('" + CommitStream.CHANNEL + "', ?)")) {
                p.setString(1, Long.toString(tid.value()));
                p.executeQuery().close();
            }
            storage.stream().expectOwn(tid, this, writtenOids());
            expected = true;
            c.commit();
        } catch (SQLException | RuntimeException e) {
            if (expected) {
                storage.stream().forgetOwn(tid);
            }
            abort();
            if (e instanceof SQLException s) {
                throw storage.database().errors().translate("committing", s);
            }
            throw (RuntimeException) e;
        }
        Database.giveBack(connection);
        connection = null;
        state = State.FINISHED;
        storage.stream().deliverOwn(tid, Database.CONNECTION_TIMEOUT.multipliedBy(12));
        return tid;
    }

    private Tid chooseTid(Tid last) {
        Tid explicit = metadata.explicitTid();
        if (explicit == null) {
            return Tid.newTid(Instant.now(), last);
        }
        if (!explicit.isAfter(last)) {
            throw new StorageTransactionException("explicit tid " + explicit
                    + " does not follow the last transaction " + last + "; tids must strictly increase");
        }
        return explicit;
    }

    /** A stored oid above every oid handed out: later allocations must stay above it. */
    private static void raiseOidSequence(Connection c, long maxOid) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + OID_LOCK + ")");
        }
        try (PreparedStatement p = c.prepareStatement("SELECT setval('zoid_seq', ?) FROM zoid_seq q"
                + " WHERE ? > CASE WHEN q.is_called THEN q.last_value ELSE q.last_value - 1 END")) {
            p.setLong(1, maxOid);
            p.setLong(2, maxOid);
            p.executeQuery().close();
        }
    }

    /** The length FileStorage would give this transaction's record (the undo log's size). */
    private long size(byte[] extension) {
        long size = TXN_HEADER_LENGTH + metadata.user().length + metadata.description().length + extension.length;
        for (StagedRecord r : prepared) {
            long stored = r.storedLength();
            size += DATA_HEADER_LENGTH + (stored > 0 ? stored : BACK_POINTER_LENGTH);
        }
        return size;
    }

    @Override
    public void abort() {
        if (state == State.FINISHED || state == State.ABORTED) {
            return;
        }
        state = State.ABORTED;
        prepared = null;
        if (connection != null) {
            Database.giveBack(connection); // ROLLBACK releases the row locks
            connection = null;
        }
    }

    @Override
    public void cancel() {
        waiting.cancel();
    }

    @Override
    public List<Oid> writtenOids() {
        return prepared == null ? List.of() : prepared.stream().map(StagedRecord::oid).toList();
    }

    private void requireState(State expected, String action) {
        if (state != expected) {
            throw new StorageTransactionException("cannot " + action + " a transaction that is "
                    + state.name().toLowerCase());
        }
    }

    @Override
    public String toString() {
        return "PostgresTransaction[" + state.name().toLowerCase() + ", "
                + new String(metadata.description(), StandardCharsets.UTF_8) + "]";
    }
}
