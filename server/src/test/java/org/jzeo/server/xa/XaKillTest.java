package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.server.xa.XaCalls.commit;
import static org.jzeo.server.xa.XaCalls.prepare;
import static org.jzeo.server.xa.XaCalls.recover;
import static org.jzeo.server.xa.XaCalls.text;
import static org.jzeo.server.xa.XaCalls.xid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.testclient.Callback;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server is killed (-9) right after a prepare was answered: after the restart the branch is listed by
 * xa_recover, its objects are locked, and xa_commit makes its data visible to every client.
 */
class XaKillTest {
    @TempDir
    Path dir;

    @Test
    void aBranchPreparedBeforeKill9IsRecoveredLockedAndCommittable() throws Exception {
        Path data = dir.resolve("Data.fs");
        Path conf = dir.resolve("zeo.conf");
        Files.writeString(conf, "<zeo>\n  address 127.0.0.1:0\n  lock-wait 1s\n</zeo>\n<mappingstorage/>\n");
        WireXid xid = xid("kill9", 1);
        Oid x;
        Oid z;
        Tid created;
        try (ServerProcess first = ServerProcess.start(data, "-C", conf.toString())) {
            try (ZeoTestClient c = XaCalls.connect(first.address())) {
                x = c.newOids(1).get(0);
                z = c.newOids(1).get(0);
                created = c.commit(1, Map.of(x, text("x0"), z, text("z0")), Map.of());
                assertThat(prepare(c, 2, xid, x, created, "x by XA")).isEqualTo(List.of());
                // The reply came after the fsync: the log holds the branch now.
                assertThat(PreparedLog.read(PreparedLog.pathFor(data)).records())
                        .anyMatch(r -> r instanceof XaLogRecord.Prepared p && p.xid().equals(xid));
            }
            first.kill9();
            try (ServerProcess second = first.restart();
                 ZeoTestClient tm = XaCalls.connect(second.address());
                 ZeoTestClient other = XaCalls.connect(second.address());
                 ZeoTestClient watcher = XaCalls.connect(second.address())) {
                assertThat(recover(tm)).containsExactly(xid);
                assertThatThrownBy(() -> other.commit(3, Map.of(x, text("x by other")), Map.of(x, created)))
                        .as("the prepared object stays locked").isInstanceOf(ConflictException.class);
                Tid unrelated = other.commit(4, Map.of(z, text("z1")), Map.of(z, created));
                // That commit's invalidation may still be on its way to the watcher: take it first.
                Callback earlier;
                do {
                    earlier = watcher.nextCallback(Duration.ofSeconds(10));
                } while (earlier != null && !(earlier.name().equals(Callback.INVALIDATE_TRANSACTION)
                        && earlier.invalidatedTid().equals(unrelated)));
                assertThat(earlier).as("the unrelated commit's invalidation").isNotNull();

                XaCalls.Commit done = commit(tm, xid);
                assertThat(done.tid().isAfter(unrelated)).isTrue();
                assertThat(done.oids()).containsExactly(x);
                assertThat(text(other.loadBefore(x, Tid.MAX).data())).isEqualTo("x by XA");
                Callback inv;
                do {
                    inv = watcher.nextCallback(Duration.ofSeconds(10));
                } while (inv != null && !inv.name().equals(Callback.INVALIDATE_TRANSACTION));
                assertThat(inv).as("invalidateTransaction to the other sessions").isNotNull();
                assertThat(inv.invalidatedTid()).isEqualTo(done.tid());
                assertThat(inv.invalidatedOids()).containsExactly(x);
                assertThat(recover(other)).isEmpty();
                assertThat(commit(other, xid)).isEqualTo(done);
            }
        }
    }
}
