package org.jzeo.server.storage.pg;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jzeo.api.Oid;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.storage.CommitListener;
import org.jzeo.storage.CurrentRecord;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.Invalidation;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.Storage;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.jzeo.storage.UndoEntry;

/**
 * A history-preserving storage in PostgreSQL that several jzeo servers share (RelStorage's job): all of them over
 * one database behave as one storage. The schema is in {@code schema-1.sql} beside this class.
 *
 * <p>Reads are SQL on pooled connections, bounded by the {@linkplain CommitStream#visible() visible} tid: the
 * newest commit this storage delivered to its listener. Transactions lock the objects' rows in the database at
 * vote and choose their tid under a global commit lock at finish ({@link PostgresTransaction}). Commits of every
 * server reach this storage's listener in tid order through the {@link CommitStream} (LISTEN/NOTIFY, polling as a
 * fallback). No blobs.
 */
public final class PostgresStorage implements Storage {
    private final PostgresOptions options;
    private final Database db;
    private final PostgresReads reads;
    private final CommitStream stream;
    private final RowLocks rowLocks;
    private final PostgresPacker packer;
    private final ExecutorService lockHelpers;
    private final AtomicBoolean packing = new AtomicBoolean();
    private volatile boolean closed;

    private PostgresStorage(PostgresOptions options, Database db, ReferenceFinder references, Tid lastCommitted) {
        this.options = options;
        this.db = db;
        this.reads = new PostgresReads(db);
        this.lockHelpers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jzeo-pg-lock-wait-" + options.name());
            t.setDaemon(true);
            return t;
        });
        this.rowLocks = new RowLocks(lockHelpers, db);
        this.packer = new PostgresPacker(db, references);
        this.stream = new CommitStream(db, lastCommitted, options.pollInterval());
        stream.start(options.name());
    }

    /**
     * Opens the storage over the database {@code options} names, creating or upgrading jzeo's schema there when
     * {@link PostgresOptions#createSchema()} allows.
     *
     * @param references finds the references in object records, for pack's garbage collection
     * @throws StorageException the database cannot be reached, or has no (or a newer) jzeo schema
     */
    public static PostgresStorage open(PostgresOptions options, ReferenceFinder references) {
        Database db = new Database(options);
        try {
            PostgresSchema.ensure(db, options.createSchema());
            Tid last = db.read("reading the last transaction", c -> {
                try (Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("SELECT last_tid FROM commit_lock")) {
                    r.next();
                    return Tid.of(r.getLong(1));
                }
            });
            return new PostgresStorage(options, db, references, last);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    Database database() {
        return db;
    }

    CommitStream stream() {
        return stream;
    }

    RowLocks rowLocks() {
        return rowLocks;
    }

    Duration lockWait() {
        return options.lockWait();
    }

    // ---------------------------------------------------------------- metadata

    @Override
    public String name() {
        return options.name();
    }

    @Override
    public boolean isReadOnly() {
        return options.readOnly();
    }

    /** The newest tid delivered to the commit listener (reads show nothing after it). */
    @Override
    public Tid lastTransaction() {
        return stream.visible();
    }

    @Override
    public boolean supportsUndo() {
        return true;
    }

    /**
     * Sets the listener told of every commit, this storage's and other servers', in tid order. Other servers'
     * commits are held back until the first call (with a listener or null), so that a server that reads
     * {@link #lastTransaction()} and then sets its listener misses none.
     */
    @Override
    public void setCommitListener(CommitListener listener) {
        stream.setListener(listener);
    }

    /** The sum of the transactions' record lengths, kept up to date by commits and pack. */
    @Override
    public long size() {
        return counter("data_size");
    }

    /** The number of objects with at least one revision, kept up to date by commits and pack. */
    @Override
    public long length() {
        return counter("object_count");
    }

    private long counter(String column) {
        checkOpen();
        return db.read("reading the storage's " + column, c -> {
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT " + column + " FROM commit_lock")) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    // ---------------------------------------------------------------- reads

    @Override
    public LoadResult loadBefore(Oid oid, Tid before) {
        checkOpen();
        return reads.loadBefore(oid, before, stream.visible());
    }

    @Override
    public byte[] loadSerial(Oid oid, Tid serial) {
        checkOpen();
        return reads.loadSerial(oid, serial, stream.visible());
    }

    @Override
    public List<HistoryEntry> history(Oid oid, int size) {
        checkOpen();
        return reads.history(oid, size, stream.visible());
    }

    @Override
    public CurrentRecord recordIterNext(Oid next) {
        checkOpen();
        return reads.recordIterNext(next, stream.visible());
    }

    @Override
    public StorageIterator iterator(Tid start, Tid stop) {
        checkOpen();
        Tid high = stream.visible();
        if (stop != null && stop.isBefore(high)) {
            high = stop;
        }
        return new PostgresIterator(db, start == null ? Tid.ZERO : start, high);
    }

    @Override
    public List<UndoEntry> undoInfo(int first, int last, Predicate<UndoEntry> filter) {
        checkOpen();
        return reads.undoInfo(first, last, filter, stream.visible());
    }

    @Override
    public List<Invalidation> lastInvalidations(int count) {
        checkOpen();
        return reads.lastInvalidations(count, stream.visible());
    }

    // ---------------------------------------------------------------- writes

    /** New oids from the database's sequence: unique across every server sharing the database. */
    @Override
    public List<Oid> newOids(int count) {
        checkWritable();
        if (count < 0) {
            throw new IllegalArgumentException("cannot allocate " + count + " oids");
        }
        if (count == 0) {
            return List.of();
        }
        return db.inTransaction("allocating new oids", c -> {
            try (Statement s = c.createStatement()) {
                // Shared: allocations run side by side, but never while a commit raises the sequence.
                s.execute("SELECT pg_advisory_xact_lock_shared(" + PostgresTransaction.OID_LOCK + ")");
            }
            List<Oid> oids = new ArrayList<>(count);
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT nextval('zoid_seq') AS oid FROM generate_series(1, ?) ORDER BY oid")) {
                p.setInt(1, count);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        oids.add(Oid.of(r.getLong(1)));
                    }
                }
            }
            oids.sort(null);
            return oids;
        });
    }

    @Override
    public StorageTransaction begin(TransactionMetadata metadata) {
        // Refused here, not only at the first store: an empty transaction would otherwise still commit a tid.
        checkWritable();
        return new PostgresTransaction(this, metadata);
    }

    @Override
    public void pack(Tid packTime, boolean gc) {
        checkWritable();
        if (packTime.equals(Tid.ZERO)) {
            throw new StorageException("invalid pack time " + packTime);
        }
        if (!packing.compareAndSet(false, true)) {
            throw new StorageException("Already packing");
        }
        try {
            // Beyond what this storage delivered there is nothing it may pack: its clients have not seen it.
            Tid visible = stream.visible();
            Tid effective = packTime.isBefore(visible) ? packTime : visible;
            if (effective.equals(Tid.ZERO)) {
                return;
            }
            packer.pack(effective, gc);
        } finally {
            packing.set(false);
        }
    }

    private void checkWritable() {
        checkOpen();
        if (options.readOnly()) {
            throw new ReadOnlyException("storage " + name() + " is read-only");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("storage " + name() + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stream.close();
        lockHelpers.shutdownNow();
        db.close();
    }

    @Override
    public String toString() {
        return "PostgresStorage[" + name() + " at " + db.url() + "]";
    }
}
