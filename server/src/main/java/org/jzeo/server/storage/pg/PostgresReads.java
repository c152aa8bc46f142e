package org.jzeo.server.storage.pg;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.pickle.PickleException;
import org.jzeo.server.storage.pickle.PickleReader;
import org.jzeo.storage.CurrentRecord;
import org.jzeo.storage.HistoryEntry;
import org.jzeo.storage.Invalidation;
import org.jzeo.storage.LoadResult;
import org.jzeo.storage.UndoEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage's reads, as plain SQL over {@code object_state} and {@code transaction}. Every method takes the
 * {@code visible} tid and behaves as if nothing after it existed: a server must not reveal a tid to a client
 * before it queued that tid's invalidations, and the storage delivers commits to its listener up to {@code visible}.
 */
final class PostgresReads {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresReads.class);
    /** Rows fetched per query when walking transactions (undo log): bounded memory for any database. */
    static final int PAGE = 200;

    private final Database db;

    PostgresReads(Database db) {
        this.db = db;
    }

    LoadResult loadBefore(Oid oid, Tid before, Tid visible) {
        Tid bound = before.isAfter(visible) ? visible.next() : before;
        return db.read("loading oid " + oid, c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT s.tid, s.state, (SELECT min(n.tid) FROM object_state n"
                            + " WHERE n.zoid = s.zoid AND n.tid > s.tid AND n.tid <= ?) AS end_tid"
                            + " FROM object_state s WHERE s.zoid = ? AND s.tid < ? ORDER BY s.tid DESC LIMIT 1")) {
                p.setLong(1, visible.value());
                p.setLong(2, oid.value());
                p.setLong(3, bound.value());
                try (ResultSet r = p.executeQuery()) {
                    if (r.next()) {
                        Tid start = Tid.of(r.getLong(1));
                        byte[] state = r.getBytes(2);
                        long end = r.getLong(3);
                        Tid endTid = r.wasNull() ? null : Tid.of(end);
                        if (state == null) {
                            throw noData(oid, start);
                        }
                        return new LoadResult(state, start, endTid);
                    }
                }
            }
            if (!existsUpTo(c, oid, visible)) {
                throw new POSKeyException(oid);
            }
            return null;
        });
    }

    byte[] loadSerial(Oid oid, Tid serial, Tid visible) {
        return db.read("loading oid " + oid + " at " + serial, c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT state FROM object_state WHERE zoid = ? AND tid = ? AND tid <= ?")) {
                p.setLong(1, oid.value());
                p.setLong(2, serial.value());
                p.setLong(3, visible.value());
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        throw new POSKeyException(oid, "oid " + oid + " has no revision " + serial);
                    }
                    byte[] state = r.getBytes(1);
                    if (state == null) {
                        throw noData(oid, serial);
                    }
                    return state;
                }
            }
        });
    }

    List<HistoryEntry> history(Oid oid, int size, Tid visible) {
        return db.read("reading the history of oid " + oid, c -> {
            List<HistoryEntry> entries = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT s.tid, t.username, t.description, t.extension,"
                            + " CASE WHEN s.data_tid IS NULL THEN coalesce(length(s.state), 0) ELSE 0 END"
                            + " FROM object_state s JOIN transaction t ON t.tid = s.tid"
                            + " WHERE s.zoid = ? AND s.tid <= ? ORDER BY s.tid DESC LIMIT ?")) {
                p.setLong(1, oid.value());
                p.setLong(2, visible.value());
                p.setInt(3, Math.max(size, 0));
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        Tid tid = Tid.of(r.getLong(1));
                        entries.add(new HistoryEntry(tid, tid.toEpochSeconds(), r.getBytes(2), r.getBytes(3),
                                r.getLong(5), extension(tid, r.getBytes(4))));
                    }
                }
            }
            if (entries.isEmpty() && !existsUpTo(c, oid, visible)) {
                throw new POSKeyException(oid);
            }
            return entries;
        });
    }

    /** The current record of the smallest oid at or above {@code next} that has data, with the oid after it. */
    CurrentRecord recordIterNext(Oid next, Tid visible) {
        return db.read("iterating current records", c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT o.zoid, s.tid, s.state FROM current_object o CROSS JOIN LATERAL"
                            + " (SELECT tid, state FROM object_state WHERE zoid = o.zoid AND tid <= ?"
                            + " ORDER BY tid DESC LIMIT 1) s"
                            + " WHERE o.zoid >= ? AND s.state IS NOT NULL ORDER BY o.zoid LIMIT 2")) {
                p.setLong(1, visible.value());
                p.setLong(2, next == null ? Long.MIN_VALUE : next.value());
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        return null;
                    }
                    Oid oid = Oid.of(r.getLong(1));
                    Tid tid = Tid.of(r.getLong(2));
                    byte[] state = r.getBytes(3);
                    Oid following = r.next() ? Oid.of(r.getLong(1)) : null;
                    return new CurrentRecord(oid, tid, state, following);
                }
            }
        });
    }

    /** ZODB's undoInfo: undoable transactions newest first, stopping at the first packed one. */
    List<UndoEntry> undoInfo(int first, int last, Predicate<UndoEntry> filter, Tid visible) {
        int end = last < 0 ? first - last : last;
        List<UndoEntry> entries = new ArrayList<>();
        int index = 0;
        long below = visible.value() + 1; // keyset paging, newest first
        while (index < end) {
            List<TransactionRow> page = transactionsBelow(below, PAGE);
            for (TransactionRow t : page) {
                if (index >= end || t.packed()) {
                    return entries; // undo never reaches past a packed transaction
                }
                UndoEntry entry = new UndoEntry(UndoEntry.idOf(t.tid()), t.tid(), t.tid().toEpochSeconds(),
                        t.user(), t.description(), t.size(), t.extension());
                if (filter.test(entry)) {
                    if (index >= first) {
                        entries.add(entry);
                    }
                    index++;
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            below = page.get(page.size() - 1).tid().value();
        }
        return entries;
    }

    /** One row of {@code transaction}, decoded. */
    record TransactionRow(Tid tid, byte[] user, byte[] description, Map<String, Object> extension, boolean packed,
                          long size) {
    }

    private List<TransactionRow> transactionsBelow(long below, int limit) {
        return db.read("reading the undo log", c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT tid, username, description, extension, packed, size FROM transaction WHERE tid < ?"
                            + " ORDER BY tid DESC LIMIT ?")) {
                p.setLong(1, below);
                p.setInt(2, limit);
                return transactionRows(p);
            }
        });
    }

    static List<TransactionRow> transactionRows(PreparedStatement p) throws SQLException {
        List<TransactionRow> rows = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
                Tid tid = Tid.of(r.getLong(1));
                rows.add(new TransactionRow(tid, r.getBytes(2), r.getBytes(3), extension(tid, r.getBytes(4)),
                        r.getBoolean(5), r.getLong(6)));
            }
        }
        return rows;
    }

    /** The newest {@code count} transactions up to {@code visible} with the oids they wrote, oldest first. */
    List<Invalidation> lastInvalidations(int count, Tid visible) {
        if (count <= 0) {
            return List.of();
        }
        return db.read("reading the last invalidations", c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT t.tid, array_agg(s.zoid ORDER BY s.position) FILTER (WHERE s.zoid IS NOT NULL)"
                            + " FROM (SELECT tid FROM transaction WHERE tid <= ? ORDER BY tid DESC LIMIT ?) t"
                            + " LEFT JOIN object_state s ON s.tid = t.tid GROUP BY t.tid ORDER BY t.tid")) {
                p.setLong(1, visible.value());
                p.setLong(2, count);
                List<Invalidation> result = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        result.add(new Invalidation(Tid.of(r.getLong(1)), oids(r.getArray(2))));
                    }
                }
                return result;
            }
        });
    }

    /** The oids of a bigint[] column, in array order; none for SQL null. */
    static List<Oid> oids(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        Long[] values = (Long[]) array.getArray();
        List<Oid> oids = new ArrayList<>(values.length);
        for (Long v : values) {
            oids.add(Oid.of(v));
        }
        return Collections.unmodifiableList(oids);
    }

    private static boolean existsUpTo(Connection c, Oid oid, Tid visible) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT 1 FROM object_state WHERE zoid = ? AND tid <= ? LIMIT 1")) {
            p.setLong(1, oid.value());
            p.setLong(2, visible.value());
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        }
    }

    static POSKeyException noData(Oid oid, Tid tid) {
        return new POSKeyException(oid, "oid " + oid + " has no data at revision " + tid
                + " (deleted, or its creation was undone)");
    }

    /** The extension dict; an unreadable one reads as empty, as Python's undoLog does, with a warning. */
    static Map<String, Object> extension(Tid tid, byte[] pickled) {
        if (pickled == null || pickled.length == 0) {
            return Map.of();
        }
        try {
            return PickleReader.unpickleDict(pickled);
        } catch (PickleException | IllegalArgumentException e) {
            LOG.warn("transaction {}: unreadable extension, using {{}}: {}", tid, e.getMessage());
            return Map.of();
        }
    }
}
