package org.jzeo.server.core;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;

/**
 * A connection's open iterators ({@code iterator_start}, {@code iterator_record_start}), by the integer ids the
 * client was given. Ids are per connection and never reused. Used from the serial executor only.
 */
final class SessionIterators {
    private final Map<Long, TransactionCursor> transactions = new HashMap<>();
    private final Map<Long, Iterator<DataRecord>> records = new HashMap<>();
    /** Python: {@code itertools.count()}, so the first iterator is 0. */
    private long nextId = 0;

    /** A transaction iterator and the last transaction it returned (iterator_record_start names it). */
    static final class TransactionCursor {
        final StorageIterator iterator;
        TransactionRecord last;

        TransactionCursor(StorageIterator iterator) {
            this.iterator = iterator;
        }
    }

    long addTransactions(StorageIterator iterator) {
        long id = nextId++;
        transactions.put(id, new TransactionCursor(iterator));
        return id;
    }

    TransactionCursor transactions(long id) {
        return transactions.get(id);
    }

    long addRecords(Iterator<DataRecord> iterator) {
        long id = nextId++;
        records.put(id, iterator);
        return id;
    }

    Iterator<DataRecord> records(long id) {
        return records.get(id);
    }

    void remove(long id) {
        TransactionCursor cursor = transactions.remove(id);
        if (cursor != null) {
            cursor.iterator.close();
        }
        records.remove(id);
    }

    void clear() {
        for (TransactionCursor cursor : transactions.values()) {
            cursor.iterator.close();
        }
        transactions.clear();
        records.clear();
    }
}
