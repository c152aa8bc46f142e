package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.xa.XaCalls.commit;
import static org.jzeo.server.xa.XaCalls.prepare;
import static org.jzeo.server.xa.XaCalls.recover;
import static org.jzeo.server.xa.XaCalls.text;
import static org.jzeo.server.xa.XaCalls.xid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.testing.crashfs.CrashFileSystem;
import org.jzeo.testing.crashfs.PowerLossReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit's XA outcome is written to the log without an fsync of its own, because a restart finds the commit in
 * Data.fs by its xid. A pack can remove that Data.fs transaction (its records superseded, or garbage); so the
 * outcome must be durable before a pack runs, or a power loss after the pack brings the branch back as prepared,
 * and the transaction manager may roll back (or commit again) what was committed.
 */
class XaOutcomeAfterPackTest {
    @TempDir
    Path dir;

    @Test
    void aCommittedBranchIsNotPreparedAgainAfterAPackAndAPowerLoss() throws Exception {
        CrashFileSystem disk = CrashFileSystem.over(Files.createDirectories(dir.resolve("disk")));
        Path data = disk.root().resolve("Data.fs");
        WireXid xid = xid("packed", 1);
        Oid x;
        Tid committed;
        try (RunningServer server = TestServers.start(data); ZeoTestClient c = XaCalls.connect(server)) {
            // A root without references: pack's garbage collection removes x, its every revision and so the
            // transaction that carries the branch's xid.
            x = c.newOids(1).get(0);
            Tid created = c.commit(1, Map.of(Oid.of(0), text("root"), x, text("x0")), Map.of());
            prepare(c, 2, xid, x, created, "x by XA");
            committed = commit(c, xid).tid();
            c.commit(3, Map.of(x, text("x after XA")), Map.of(x, committed));
            c.call("pack", System.currentTimeMillis() / 1000.0 + 1, true);
            disk.powerLoss();
        }
        // The harshest outcome: every write that was not forced is lost.
        Path restored = null;
        for (long seed = 0; restored == null; seed++) {
            Path candidate = dir.resolve("restored-" + seed);
            PowerLossReport report = disk.restore(seed, candidate);
            if (report.keepBias() == 0) {
                restored = candidate;
            }
        }
        try (RunningServer server = TestServers.start(restored.resolve("Data.fs"));
             ZeoTestClient tm = XaCalls.connect(server)) {
            assertThat(recover(tm)).as("branches prepared after the restart").doesNotContain(xid);
            assertThat(commit(tm, xid).tid()).as("the commit the transaction manager asks about again")
                    .isEqualTo(committed);
        }
    }
}
