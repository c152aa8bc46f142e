package org.jzeo.server.storage.file;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.jzeo.api.Tid;
import org.jzeo.storage.DataRecord;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;

/**
 * Iterates the committed transactions of Data.fs between two tids, in file order (spec §7, iterator): skips
 * undone ('u') transactions, and never reads past the end that was committed when the iterator was made.
 */
final class FileTransactionIterator implements StorageIterator {
    private final DataFile file;
    private final long end;
    private final Tid start;
    private final Tid stop;
    private long pos = FileFormat.MAGIC_LENGTH;
    private TransactionRecord next;
    private boolean done;

    FileTransactionIterator(DataFile file, long end, Tid start, Tid stop) {
        this.file = file;
        this.end = end;
        this.start = start;
        this.stop = stop;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            next = advance();
            done = next == null;
        }
        return next != null;
    }

    @Override
    public TransactionRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        TransactionRecord r = next;
        next = null;
        return r;
    }

    private TransactionRecord advance() {
        while (pos < end) {
            TransactionHeader h = file.readTransactionHeader(pos);
            pos = h.end();
            if (stop != null && h.tid().isAfter(stop)) {
                return null;
            }
            if (h.status() == FileFormat.STATUS_UNDONE || (start != null && h.tid().isBefore(start))) {
                continue;
            }
            if (h.status() == FileFormat.STATUS_CHECKPOINT) {
                return null;
            }
            return new TransactionRecord(h.tid(), (char) h.status(), h.user(), h.description(),
                    ExtensionCodec.decode(h), records(h));
        }
        return null;
    }

    private List<DataRecord> records(TransactionHeader txn) {
        List<DataRecord> records = new ArrayList<>();
        long p = txn.dataStart();
        while (p < txn.dataEnd()) {
            DataHeader d = file.readDataHeader(p);
            Tid dataTxn = null;
            if (!d.hasInlineData()) {
                long back = file.readBackPointer(d);
                if (back != 0) {
                    dataTxn = file.readDataHeader(back).tid();
                }
            }
            records.add(new DataRecord(d.oid(), d.tid(), file.data(d), dataTxn));
            p = d.end();
        }
        return records;
    }

    @Override
    public void close() {
        done = true;
        next = null;
    }
}
