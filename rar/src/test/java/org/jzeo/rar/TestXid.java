package org.jzeo.rar;

import java.nio.charset.StandardCharsets;
import javax.transaction.xa.Xid;

/** An xid for tests. */
record TestXid(int formatId, byte[] gtrid, byte[] bqual) implements Xid {
    static TestXid of(String global, String branch) {
        return new TestXid(4711, global.getBytes(StandardCharsets.UTF_8), branch.getBytes(StandardCharsets.UTF_8));
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
}
