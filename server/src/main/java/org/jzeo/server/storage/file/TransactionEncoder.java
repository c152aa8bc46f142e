package org.jzeo.server.storage.file;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.commit.PreparedRecord;
import org.jzeo.server.storage.commit.PreparedTransaction;
import org.jzeo.server.storage.commit.RecordSource;
import org.jzeo.storage.TransactionMetadata;

/**
 * Lays out one transaction record as it goes into Data.fs at a given position: header, data records (spec §4)
 * and the redundant length, together with the index entries it creates.
 */
final class TransactionEncoder {

    /** The bytes of a transaction and the positions of its records (parallel to the prepared records). */
    record Encoded(ByteBuffer bytes, long[] oids, long[] positions, long end) {
    }

    private TransactionEncoder() {
    }

    /** Finds the position a back pointer must hold for a record whose state is that of an earlier record. */
    @FunctionalInterface
    interface BackPointers {
        long positionOf(Oid oid, RecordSource.SameAs source);
    }

    /**
     * @param committedPosition oid → position of its current committed record, or {@link OidIndex#ABSENT}
     */
    static Encoded encode(PreparedTransaction txn, Tid tid, long tpos, LongUnaryOperator committedPosition,
                          BackPointers backPointers) {
        TransactionMetadata meta = txn.metadata();
        byte[] extension = ExtensionCodec.encode(meta.extension());
        int headerLength = FileFormat.TRANS_HDR_LEN + meta.user().length + meta.description().length
                + extension.length;
        List<PreparedRecord> records = txn.records();
        long tlen = headerLength;
        for (PreparedRecord r : records) {
            tlen += FileFormat.DATA_HDR_LEN + dataLength(r.source());
        }
        long total = tlen + FileFormat.TRAILER_LEN;
        if (total > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("transaction of " + total + " bytes is too large for one write");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total);
        TransactionHeader.write(out, tid, tlen, (byte) meta.status(), meta.user(), meta.description(), extension);
        long[] oids = new long[records.size()];
        long[] positions = new long[records.size()];
        int i = 0;
        for (PreparedRecord r : records) {
            long pos = tpos + out.position();
            long committed = committedPosition.applyAsLong(r.oid().value());
            long prev = committed == OidIndex.ABSENT ? 0 : committed;
            RecordSource source = r.source();
            if (source instanceof RecordSource.Inline inline) {
                DataHeader.write(out, r.oid(), tid, prev, tpos, inline.data().length);
                out.put(inline.data());
            } else if (source instanceof RecordSource.SameAs same) {
                DataHeader.write(out, r.oid(), tid, prev, tpos, 0);
                out.putLong(backPointers.positionOf(r.oid(), same));
            } else {
                DataHeader.write(out, r.oid(), tid, prev, tpos, 0);
                out.putLong(0);
            }
            oids[i] = r.oid().value();
            positions[i] = pos;
            i++;
        }
        out.putLong(tlen);
        out.flip();
        return new Encoded(out, oids, positions, tpos + total);
    }

    private static long dataLength(RecordSource source) {
        if (source instanceof RecordSource.Inline inline) {
            if (inline.data().length == 0) {
                throw new IllegalArgumentException("a record's data cannot be empty");
            }
            return inline.data().length;
        }
        return 8;
    }

}
