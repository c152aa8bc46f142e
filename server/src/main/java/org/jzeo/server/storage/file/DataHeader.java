package org.jzeo.server.storage.file;

import java.nio.ByteBuffer;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * A data record's 42-byte header (spec §4). When {@code plen} is 0 an 8-byte back pointer follows instead of
 * data: {@code back > 0} means "the data of the record at back", {@code back == 0} means no data (a deletion
 * or an undone creation).
 */
public record DataHeader(long pos, Oid oid, Tid tid, long prev, long tloc, int vlen, long plen) {

    static DataHeader parse(long pos, ByteBuffer b) {
        long oid = b.getLong();
        long tid = b.getLong();
        long prev = b.getLong();
        long tloc = b.getLong();
        int vlen = Short.toUnsignedInt(b.getShort());
        long plen = b.getLong();
        return new DataHeader(pos, Oid.of(oid), Tid.of(tid), prev, tloc, vlen, plen);
    }

    /** Total record length: header plus data, or header plus back pointer. */
    public long recordLength() {
        return FileFormat.DATA_HDR_LEN + (plen > 0 ? plen : 8);
    }

    public long end() {
        return pos + recordLength();
    }

    public boolean hasInlineData() {
        return plen > 0;
    }

    static void write(ByteBuffer out, Oid oid, Tid tid, long prev, long tloc, long plen) {
        out.putLong(oid.value());
        out.putLong(tid.value());
        out.putLong(prev);
        out.putLong(tloc);
        out.putShort((short) 0);
        out.putLong(plen);
    }
}
