package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.jzeo.protocol.WireXid;
import org.junit.jupiter.api.Test;

class XidGidsTest {
    @Test
    void theLargestXidFitsAPostgresGidAndComesBack() {
        byte[] gtrid = new byte[64];
        byte[] bqual = new byte[64];
        Arrays.fill(gtrid, (byte) 0xff);
        Arrays.fill(bqual, (byte) 0x80);
        WireXid xid = new WireXid(-1, gtrid, bqual);
        String gid = XidGids.gid(xid);
        assertThat(gid).startsWith(XidGids.PREFIX).matches("[A-Za-z0-9_:-]+");
        assertThat(gid.length()).as("PostgreSQL gids are at most 200 bytes").isLessThanOrEqualTo(200);
        assertThat(XidGids.xid(gid)).isEqualTo(xid);
    }

    @Test
    void emptyPartsAndOtherGidsAreTold() {
        WireXid xid = new WireXid(0, new byte[] {1}, new byte[0]);
        assertThat(XidGids.xid(XidGids.gid(xid))).isEqualTo(xid);
        assertThat(XidGids.xid("someone_else's")).isNull();
        assertThat(XidGids.xid(XidGids.PREFIX + "!!")).isNull();
    }
}
