package org.jzeo.server.storage.file;

import java.nio.ByteBuffer;
import org.jzeo.api.Tid;

/**
 * A transaction record's header (spec §3): {@code tid, tlen, status, ulen, dlen, elen} followed by user,
 * description and extension. The record spans {@code [pos, pos + tlen + 8)}.
 */
public record TransactionHeader(long pos, Tid tid, long tlen, byte status, byte[] user, byte[] description,
                                byte[] extension) {

    /** Parses the fixed 23 bytes at the buffer's position; the variable fields are read by the caller. */
    static Fixed parseFixed(ByteBuffer b) {
        long tid = b.getLong();
        long tlen = b.getLong();
        byte status = b.get();
        int ulen = Short.toUnsignedInt(b.getShort());
        int dlen = Short.toUnsignedInt(b.getShort());
        int elen = Short.toUnsignedInt(b.getShort());
        return new Fixed(Tid.of(tid), tlen, status, ulen, dlen, elen);
    }

    /** The fixed part of a header. */
    record Fixed(Tid tid, long tlen, byte status, int ulen, int dlen, int elen) {
        int headerLength() {
            return FileFormat.TRANS_HDR_LEN + ulen + dlen + elen;
        }
    }

    public int headerLength() {
        return FileFormat.TRANS_HDR_LEN + user.length + description.length + extension.length;
    }

    /** Position of the first data record. */
    public long dataStart() {
        return pos + headerLength();
    }

    /** Position just past the data records, where the redundant length sits. */
    public long dataEnd() {
        return pos + tlen;
    }

    /** Position of the next transaction. */
    public long end() {
        return pos + tlen + FileFormat.TRAILER_LEN;
    }

    /** Writes a complete header for a record of total length {@code tlen} (excluding the trailer). */
    static void write(ByteBuffer out, Tid tid, long tlen, byte status, byte[] user, byte[] description,
                      byte[] extension) {
        out.putLong(tid.value());
        out.putLong(tlen);
        out.put(status);
        out.putShort((short) user.length);
        out.putShort((short) description.length);
        out.putShort((short) extension.length);
        out.put(user);
        out.put(description);
        out.put(extension);
    }
}
