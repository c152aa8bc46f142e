package org.jzeo.server.xa;

import java.nio.ByteBuffer;
import java.util.Base64;
import org.jzeo.protocol.WireXid;

/**
 * Xids as PostgreSQL gids (at most 200 bytes): {@value #PREFIX} then, in unpadded base64url, the format id (4 bytes,
 * big-endian), the gtrid's length (1 byte), the gtrid and the bqual. The largest xid (4 + 1 + 64 + 64 bytes) takes
 * 178 characters, 184 with the prefix. The prefix tells jzeo's prepared transactions from anyone else's in the
 * same database, and its version digit lets a later encoding coexist.
 */
final class XidGids {
    static final String PREFIX = "jzeo1:";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private XidGids() {
    }

    static String gid(WireXid xid) {
        byte[] gtrid = xid.getGlobalTransactionId();
        byte[] bqual = xid.getBranchQualifier();
        ByteBuffer b = ByteBuffer.allocate(5 + gtrid.length + bqual.length);
        b.putInt(xid.getFormatId()).put((byte) gtrid.length).put(gtrid).put(bqual);
        return PREFIX + ENCODER.encodeToString(b.array());
    }

    /** The xid of a gid made by {@link #gid}; null for any other gid. */
    static WireXid xid(String gid) {
        if (!gid.startsWith(PREFIX)) {
            return null;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(DECODER.decode(gid.substring(PREFIX.length())));
            int formatId = b.getInt();
            byte[] gtrid = new byte[b.get() & 0xff];
            b.get(gtrid);
            byte[] bqual = new byte[b.remaining()];
            b.get(bqual);
            return new WireXid(formatId, gtrid, bqual);
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            return null;
        }
    }
}
