package org.jzeo.server.storage.pg;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;

/**
 * Committed transactions in tid order, read a page at a time (a page of transactions, then their records), so
 * iterating a large database holds one page in memory and no connection between pages.
 */
final class PostgresIterator implements StorageIterator {
    static final int PAGE = 100;

    private final Database db;
    private final long high;
    private long nextLow;
    private boolean exhausted;
    private final Deque<TransactionRecord> buffer = new ArrayDeque<>();

    /** Transactions with {@code low <= tid <= high}. */
    PostgresIterator(Database db, Tid low, Tid high) {
        this.db = db;
        this.nextLow = low.value();
        this.high = high.value();
        this.exhausted = low.compareTo(high) > 0;
    }

    @Override
    public boolean hasNext() {
        if (buffer.isEmpty() && !exhausted) {
            fill();
        }
        return !buffer.isEmpty();
    }

    @Override
    public TransactionRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return buffer.removeFirst();
    }

    private void fill() {
        List<TransactionRecord> page = db.read("iterating transactions", c -> {
            List<PostgresReads.TransactionRow> rows;
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT tid, username, description, extension, packed, size FROM transaction"
                            + " WHERE tid >= ? AND tid <= ? ORDER BY tid LIMIT " + PAGE)) {
                p.setLong(1, nextLow);
                p.setLong(2, high);
                rows = PostgresReads.transactionRows(p);
            }
            Map<Long, List<DataRecord>> records = new HashMap<>();
            if (!rows.isEmpty()) {
                Long[] tids = rows.stream().map(r -> r.tid().value()).toArray(Long[]::new);
                try (PreparedStatement p = c.prepareStatement(
                        "SELECT tid, zoid, state, data_tid FROM object_state WHERE tid = ANY(?)"
                                + " ORDER BY tid, position")) {
                    p.setArray(1, c.createArrayOf("bigint", tids));
                    try (ResultSet r = p.executeQuery()) {
                        while (r.next()) {
                            long tid = r.getLong(1);
                            long dataTid = r.getLong(4);
                            Tid dataTxn = r.wasNull() ? null : Tid.of(dataTid);
                            records.computeIfAbsent(tid, k -> new ArrayList<>()).add(new DataRecord(
                                    Oid.of(r.getLong(2)), Tid.of(tid), r.getBytes(3), dataTxn));
                        }
                    }
                }
            }
            List<TransactionRecord> result = new ArrayList<>(rows.size());
            for (PostgresReads.TransactionRow t : rows) {
                result.add(new TransactionRecord(t.tid(), t.packed() ? 'p' : ' ', t.user(), t.description(),
                        t.extension(), List.copyOf(records.getOrDefault(t.tid().value(), List.of()))));
            }
            return result;
        });
        buffer.addAll(page);
        if (page.size() < PAGE) {
            exhausted = true;
        } else {
            nextLow = page.get(page.size() - 1).tid().value() + 1;
        }
    }

    @Override
    public void close() {
        buffer.clear();
        exhausted = true;
    }
}
