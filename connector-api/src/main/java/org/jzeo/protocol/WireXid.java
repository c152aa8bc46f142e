package org.jzeo.protocol;

import java.util.Arrays;
import java.util.HexFormat;
import javax.transaction.xa.Xid;

/**
 * An {@link Xid} as a value: equal when format id, global transaction id and branch qualifier are equal, which
 * is how the server keys its branches (transaction managers pass their own Xid classes).
 */
public final class WireXid implements Xid {
    private final int formatId;
    private final byte[] gtrid;
    private final byte[] bqual;

    public WireXid(int formatId, byte[] gtrid, byte[] bqual) {
        if (gtrid.length > MAXGTRIDSIZE || bqual.length > MAXBQUALSIZE) {
            throw new IllegalArgumentException("xid parts longer than 64 bytes");
        }
        this.formatId = formatId;
        this.gtrid = gtrid.clone();
        this.bqual = bqual.clone();
    }

    /** The value of any Xid. */
    public static WireXid of(Xid xid) {
        return xid instanceof WireXid w ? w
                : new WireXid(xid.getFormatId(), xid.getGlobalTransactionId(), xid.getBranchQualifier());
    }

    @Override
    public int getFormatId() {
        return formatId;
    }

    @Override
    public byte[] getGlobalTransactionId() {
        return gtrid.clone();
    }

    @Override
    public byte[] getBranchQualifier() {
        return bqual.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireXid x && x.formatId == formatId && Arrays.equals(x.gtrid, gtrid)
                && Arrays.equals(x.bqual, bqual);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * formatId + Arrays.hashCode(gtrid)) + Arrays.hashCode(bqual);
    }

    /** {@code formatId:gtrid-hex:bqual-hex}, for logs. */
    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return formatId + ":" + hex.formatHex(gtrid) + ":" + hex.formatHex(bqual);
    }
}
