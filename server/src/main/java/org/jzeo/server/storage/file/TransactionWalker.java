package org.jzeo.server.storage.file;

import java.util.function.Predicate;
import org.jzeo.api.Tid;

/**
 * Walks Data.fs backwards over transaction records, using the redundant length that closes each one (spec §3).
 * Used by undo, restore and the invalidation queue, which all look at recent transactions.
 */
final class TransactionWalker {
    private final DataFile file;
    private final long end;

    /** @param end a transaction boundary: the walk starts with the transaction that ends there */
    TransactionWalker(DataFile file, long end) {
        this.file = file;
        this.end = end;
    }

    /** The header of the transaction before the boundary {@code pos}, or null at the start of the file. */
    TransactionHeader before(long pos) {
        if (pos <= FileFormat.MAGIC_LENGTH) {
            return null;
        }
        long tlen = file.read(pos - FileFormat.TRAILER_LEN, FileFormat.TRAILER_LEN).getLong();
        long tpos = pos - FileFormat.TRAILER_LEN - tlen;
        if (tlen < FileFormat.TRANS_HDR_LEN || tpos < FileFormat.MAGIC_LENGTH) {
            throw file.corrupt(pos - FileFormat.TRAILER_LEN, "redundant transaction length " + tlen
                    + " does not lead back to a transaction");
        }
        TransactionHeader h = file.readTransactionHeader(tpos);
        if (h.tlen() != tlen) {
            throw file.corrupt(tpos, "transaction length " + h.tlen() + " differs from the redundant length " + tlen);
        }
        return h;
    }

    /** The newest transaction satisfying {@code stopAt}, walking back from the end; null if none. */
    TransactionHeader findBackwards(Predicate<TransactionHeader> stopAt) {
        TransactionHeader h = before(end);
        while (h != null) {
            if (stopAt.test(h)) {
                return h;
            }
            h = before(h.pos());
        }
        return null;
    }

    /** The transaction with exactly {@code tid}, or null. Stops early once tids fall below it. */
    TransactionHeader find(Tid tid) {
        TransactionHeader h = before(end);
        while (h != null && !h.tid().isBefore(tid)) {
            if (h.tid().equals(tid)) {
                return h;
            }
            h = before(h.pos());
        }
        return null;
    }

    /** The position of the transaction {@code count} transactions back from the end (or the file start). */
    long positionBack(int count) {
        long pos = end;
        for (int i = 0; i < count && pos > FileFormat.MAGIC_LENGTH; i++) {
            pos = before(pos).pos();
        }
        return pos;
    }
}
