package org.jzeo.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.jzeo.api.Tid;
import org.jzeo.client.net.ServerConnection;
import org.jzeo.protocol.Requests;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;

/** The server's transaction iterator ({@code iterator_start/next}, {@code iterator_record_start/next}). */
final class RemoteIterator implements StorageIterator {
    private final ServerConnection connection;
    private final long iteratorId;
    private TransactionRecord next;
    private boolean exhausted;
    private boolean closed;

    RemoteIterator(ServerConnection connection, Tid start, Tid stop) {
        this.connection = connection;
        this.iteratorId = ((Number) Calls.await(connection.call(new Requests.IteratorStart(start, stop))))
                .longValue();
    }

    @Override
    public boolean hasNext() {
        if (next == null && !exhausted) {
            next = fetch();
            exhausted = next == null;
        }
        return next != null;
    }

    @Override
    public TransactionRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        TransactionRecord current = next;
        next = null;
        return current;
    }

    private TransactionRecord fetch() {
        Object reply = Calls.await(connection.call(
                new Requests.IteratorNext(Requests.IteratorNext.TRANSACTIONS, iteratorId)));
        if (reply == null) {
            closed = true; // the server forgets an exhausted iterator
            return null;
        }
        List<?> t = (List<?>) reply;
        Tid tid = WireValues.tid(t.get(0));
        long records = ((Number) Calls.await(connection.call(new Requests.IteratorRecordStart(iteratorId, tid))))
                .longValue();
        Requests.IteratorNext nextRecord = new Requests.IteratorNext(Requests.IteratorNext.RECORDS, records);
        List<DataRecord> data = new ArrayList<>();
        for (Object r = Calls.await(connection.call(nextRecord)); r != null;
                r = Calls.await(connection.call(nextRecord))) {
            List<?> record = (List<?>) r;
            data.add(new DataRecord(WireValues.oid(record.get(0)), WireValues.tid(record.get(1)),
                    (byte[]) record.get(2), WireValues.tid(record.get(3))));
        }
        String status = (String) t.get(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> extension = (Map<String, Object>) (Map<?, ?>) t.get(4);
        return new TransactionRecord(tid, status.isEmpty() ? ' ' : status.charAt(0), WireValues.bytes(t.get(2)),
                WireValues.bytes(t.get(3)), extension, data);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (connection.isOpen()) {
                connection.send("iterator_gc", List.of(iteratorId));
            }
        }
    }
}
