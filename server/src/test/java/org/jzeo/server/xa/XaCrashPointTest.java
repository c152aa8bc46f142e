package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.xa.XaCalls.commit;
import static org.jzeo.server.xa.XaCalls.prepare;
import static org.jzeo.server.xa.XaCalls.recover;
import static org.jzeo.server.xa.XaCalls.rollback;
import static org.jzeo.server.xa.XaCalls.text;
import static org.jzeo.server.xa.XaCalls.xid;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.CrashPoints;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.LoadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server killed with SIGKILL at named points of the XA path, reached deterministically (the server stops at
 * the point, armed by {@link CrashPoints}, and the test kills it there), then restarted: the branch is where the
 * point says it must be, and committed exactly once.
 */
class XaCrashPointTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("Data.fs");
    }

    @Test
    void killedAfterThePreparedRecordIsForcedButBeforeTheReplyTheBranchIsPreparedAfterTheRestart() throws Exception {
        WireXid xid = xid("forced", 1);
        Oid x;
        Tid created;
        try (ServerProcess first = ServerProcess.startArmed(CrashPoints.XA_PREPARE_FORCED, data());
             ZeoTestClient c = XaCalls.connect(first.address())) {
            x = c.newOids(1).get(0);
            created = c.commit(1, Map.of(x, text("x0")), Map.of());
            CompletableFuture<Object> prepare = CompletableFuture.supplyAsync(
                    () -> prepare(c, 2, xid, x, created, "x by XA"));
            first.awaitCrashPoint(WAIT);
            first.kill9();
            assertThat(prepare).as("the prepare was never answered").failsWithin(WAIT);
        }
        try (ServerProcess second = ServerProcess.start(data()); ZeoTestClient tm = XaCalls.connect(second.address())) {
            assertThat(recover(tm)).as("the forced prepare, unanswered, is prepared").containsExactly(xid);
            Tid tid = commit(tm, xid).tid();
            assertCommittedOnceOver(tm, x, tid, created, "x by XA");
        }
    }

    @Test
    void killedAfterXaCommitWroteDataFsButBeforeTheOutcomeTheBranchIsCommittedOnce() throws Exception {
        WireXid xid = xid("appended", 1);
        Oid x;
        Tid created;
        Tid answered;
        try (ServerProcess first = ServerProcess.startArmed(CrashPoints.XA_COMMIT_APPENDED, data());
             ZeoTestClient c = XaCalls.connect(first.address())) {
            x = c.newOids(1).get(0);
            created = c.commit(1, Map.of(x, text("x0")), Map.of());
            prepare(c, 2, xid, x, created, "x by XA");
            CompletableFuture<XaCalls.Commit> commit = CompletableFuture.supplyAsync(() -> commit(c, xid));
            first.awaitCrashPoint(WAIT);
            first.kill9();
            // The reply goes out once the commit is durable in Data.fs, which may be before the point.
            answered = commit.handle((done, failure) -> done == null ? null : done.tid())
                    .get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }
        try (ServerProcess second = ServerProcess.start(data()); ZeoTestClient tm = XaCalls.connect(second.address())) {
            assertThat(recover(tm)).as("committed in Data.fs, so not prepared any more").doesNotContain(xid);
            Tid tid = commit(tm, xid).tid();
            if (answered != null) {
                assertThat(tid).as("the tid asked again, against the one answered before the kill").isEqualTo(answered);
            }
            assertCommittedOnceOver(tm, x, tid, created, "x by XA");
        }
    }

    @Test
    void killedInTheCompactionAtStartBeforeOrAfterTheRenameTheLogKeepsEveryBranch() throws Exception {
        for (String point : List.of(CrashPoints.XA_COMPACTION_WRITTEN, CrashPoints.XA_COMPACTION_RENAMED)) {
            Path data = dir.resolve(point).resolve("Data.fs");
            java.nio.file.Files.createDirectories(data.getParent());
            WireXid kept = xid(point, 1);
            WireXid committed = xid(point, 2);
            WireXid rolledBack = xid(point, 3);
            Oid a;
            Oid b;
            Tid committedTid;
            try (ServerProcess first = ServerProcess.start(data); ZeoTestClient c = XaCalls.connect(first.address())) {
                List<Oid> oids = c.newOids(3);
                a = oids.get(0);
                b = oids.get(1);
                prepare(c, 1, kept, a, Tid.ZERO, "a by XA");
                prepare(c, 2, committed, b, Tid.ZERO, "b by XA");
                prepare(c, 3, rolledBack, oids.get(2), Tid.ZERO, "c by XA");
                committedTid = commit(c, committed).tid();
                rollback(c, rolledBack);
                first.stop();
            }
            // Every start compacts the log: stopped there, before (or after) the new file replaced the old one.
            try (ServerProcess armed = ServerProcess.startArmed(point, data)) {
                armed.awaitCrashPoint(WAIT);
                armed.kill9();
            }
            try (ServerProcess again = ServerProcess.start(data); ZeoTestClient tm = XaCalls.connect(again.address())) {
                assertThat(recover(tm)).as("prepared after a kill at %s", point).containsExactly(kept);
                assertThat(commit(tm, committed).tid()).as("the commit, asked again after a kill at %s", point)
                        .isEqualTo(committedTid);
                Tid tid = commit(tm, kept).tid();
                assertThat(text(tm.loadBefore(a, Tid.MAX).data())).isEqualTo("a by XA");
                assertThat(tm.loadBefore(a, Tid.MAX).start()).isEqualTo(tid);
                assertThat(text(tm.loadBefore(b, Tid.MAX).data())).isEqualTo("b by XA");
            }
        }
    }

    /** {@code x} holds {@code value} as of {@code tid}, and the revision before it is the one of {@code before}. */
    private static void assertCommittedOnceOver(ZeoTestClient c, Oid x, Tid tid, Tid before, String value) {
        LoadResult current = c.loadBefore(x, Tid.MAX);
        assertThat(text(current.data())).isEqualTo(value);
        assertThat(current.start()).isEqualTo(tid);
        assertThat(c.loadBefore(x, tid).start()).as("the revision before the branch's: committed once")
                .isEqualTo(before);
    }
}
