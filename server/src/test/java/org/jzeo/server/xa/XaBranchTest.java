package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.server.xa.XaCalls.commit;
import static org.jzeo.server.xa.XaCalls.prepare;
import static org.jzeo.server.xa.XaCalls.recover;
import static org.jzeo.server.xa.XaCalls.rollback;
import static org.jzeo.server.xa.XaCalls.text;
import static org.jzeo.server.xa.XaCalls.xaError;
import static org.jzeo.server.xa.XaCalls.xid;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.transaction.xa.XAException;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.protocol.XaWire;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.jzeo.server.testclient.Callback;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.StorageIterator;
import org.jzeo.storage.TransactionRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The XA extension against a real in-process server: prepare, detach, second phase, errors, timeouts. */
class XaBranchTest {
    private static final Duration LOCK_WAIT = Duration.ofMillis(800);

    @TempDir
    Path dir;

    private RunningServer start() throws InterruptedException {
        return TestServers.start(dir.resolve("Data.fs"), z -> z.withLockWait(LOCK_WAIT));
    }

    @Test
    void getInfoAdvertisesTheExtension() throws Exception {
        try (RunningServer server = start(); ZeoTestClient c = XaCalls.connect(server)) {
            assertThat(c.getInfo()).containsEntry(XaWire.INFO_KEY, List.of(XaWire.EXTENSION))
                    .containsKeys("length", "size", "name", "supportsUndo", "supports_record_iternext", "interfaces");
        }
    }

    @Test
    void aPreparedBranchIsLoggedDetachedAndCommittedFromAnotherConnection() throws Exception {
        WireXid xid = xid("detached", 1);
        Path data = dir.resolve("Data.fs");
        Tid tid;
        Oid x;
        try (RunningServer server = start();
             ZeoTestClient setup = XaCalls.connect(server);
             ZeoTestClient other = XaCalls.connect(server)) {
            x = setup.newOids(1).get(0);
            Tid created = setup.commit(1, Map.of(x, text("x0")), Map.of());
            Oid y = setup.newOids(1).get(0);

            ZeoTestClient preparer = XaCalls.connect(server);
            assertThat(prepare(preparer, 7, xid, x, created, "x by XA")).isEqualTo(List.of());
            // Durable before the reply: the log already holds the branch.
            List<XaLogRecord> logged = PreparedLog.read(PreparedLog.pathFor(data)).records();
            assertThat(logged).hasSize(1).first().isInstanceOf(XaLogRecord.Prepared.class);
            XaLogRecord.Prepared record = (XaLogRecord.Prepared) logged.get(0);
            assertThat(record.xid()).isEqualTo(xid);
            assertThat(record.operations()).hasSize(1);
            assertThat(record.lastTidAtPrepare()).isEqualTo(created);
            assertThat(record.metadata().extension()).containsEntry("jzeo.xid", xid.toString());

            // Detached: the same connection can run a new transaction at once.
            Tid yCommitted = preparer.commit(8, Map.of(y, text("y0")), Map.of());
            assertThat(yCommitted).isNotNull();
            preparer.close();
            assertThat(recover(other)).containsExactly(xid);

            // Each connection's invalidations arrive in order, but not in step with another connection's replies.
            skipPastInvalidation(setup, yCommitted);
            skipPastInvalidation(other, yCommitted);
            XaCalls.Commit done = commit(other, xid);
            tid = done.tid();
            assertThat(done.oids()).containsExactly(x);
            assertThat(tid.isAfter(created)).isTrue();
            // The repeated commit (a lost reply) answers the same.
            assertThat(commit(setup, xid)).isEqualTo(done);
            assertThat(recover(setup)).isEmpty();

            Callback inv = setup.nextCallback(Duration.ofSeconds(5));
            while (inv != null && !inv.name().equals(Callback.INVALIDATE_TRANSACTION)) {
                inv = setup.nextCallback(Duration.ofSeconds(5));
            }
            assertThat(inv).as("the other session's invalidation").isNotNull();
            assertThat(inv.invalidatedTid()).isEqualTo(tid);
            assertThat(inv.invalidatedOids()).containsExactly(x);
            assertThat(other.drainCallbacks()).as("the committing session gets no invalidation")
                    .noneMatch(c -> c.name().equals(Callback.INVALIDATE_TRANSACTION));
            assertThat(text(setup.loadBefore(x, Tid.MAX).data())).isEqualTo("x by XA");
            assertThat(setup.loadBefore(x, Tid.MAX).start()).isEqualTo(tid);
        }
        // The commit is recognisable in Data.fs by its extension.
        try (FileStorage fs = FileStorage.open(data, FileStorageOptions.defaults().withReadOnly(true),
                ReferenceScanner.finder());
             StorageIterator it = fs.iterator(tid, tid)) {
            TransactionRecord t = it.next();
            assertThat(t.extension()).containsEntry("jzeo.xid", xid.toString());
        }
        // After a restart the outcome is still remembered.
        try (RunningServer server = start(); ZeoTestClient c = XaCalls.connect(server)) {
            assertThat(commit(c, xid).tid()).isEqualTo(tid);
            assertThat(recover(c)).isEmpty();
        }
    }

    @Test
    void locksHeldByAPreparedBranchStopOnlyItsObjectsAndRollbackReleasesThem() throws Exception {
        WireXid xid = xid("locks", 1);
        try (RunningServer server = start();
             ZeoTestClient setup = XaCalls.connect(server);
             ZeoTestClient xa = XaCalls.connect(server);
             ZeoTestClient other = XaCalls.connect(server)) {
            Oid x = setup.newOids(1).get(0);
            Oid z = setup.newOids(1).get(0);
            Tid created = setup.commit(1, Map.of(x, text("x0"), z, text("z0")), Map.of());
            prepare(xa, 2, xid, x, created, "x by XA");

            long started = System.nanoTime();
            assertThatThrownBy(() -> other.commit(3, Map.of(x, text("x by other")), Map.of(x, created)))
                    .isInstanceOf(ConflictException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited for the lock")
                    .isGreaterThanOrEqualTo(LOCK_WAIT.minusMillis(50));
            assertThat(other.commit(4, Map.of(z, text("z1")), Map.of(z, created))).as("unrelated commit").isNotNull();

            // Another XA branch on the same object: the lock wait fails with XA_RBDEADLOCK, and that session's
            // transaction is gone, so it can begin again.
            assertThat(xaError(() -> prepare(other, 5, xid("locks", 2), x, created, "x again")))
                    .isEqualTo(XAException.XA_RBDEADLOCK);
            assertThat(recover(other)).containsExactly(xid);

            rollback(xa, xid);
            assertThat(recover(other)).isEmpty();
            Tid after = other.commit(6, Map.of(x, text("x by other")), Map.of(x, created));
            assertThat(text(other.loadBefore(x, Tid.MAX).data())).isEqualTo("x by other");
            rollback(other, xid);  // repeated: still fine

            // A serial conflict at xa_vote is a plain ConflictError.
            assertThatThrownBy(() -> prepare(xa, 7, xid("stale", 1), x, created, "stale"))
                    .isInstanceOf(ConflictException.class);
            assertThat(recover(xa)).isEmpty();
            assertThat(prepare(xa, 8, xid("fresh", 1), x, after, "fresh")).isEqualTo(List.of());
            commit(xa, xid("fresh", 1));
        }
    }

    /**
     * One client connection carries the branches of many transactions (the resource adapter shares one). A vote
     * there that waits for the locks of an already prepared branch must not hold up that branch's commit sent after
     * it on the same connection: the commit goes through at once, and the vote then fails on the new serial.
     */
    @Test
    void aVoteWaitingForLocksDoesNotHoldUpTheCommitOfTheHolderOnTheSameConnection() throws Exception {
        WireXid holder = xid("holder", 1);
        WireXid waiter = xid("waiter", 1);
        try (RunningServer server = TestServers.start(dir.resolve("Data.fs"),
                     z -> z.withLockWait(Duration.ofSeconds(20)));
             ZeoTestClient setup = XaCalls.connect(server);
             ZeoTestClient shared = XaCalls.connect(server)) {
            Oid x = setup.newOids(1).get(0);
            Tid created = setup.commit(1, Map.of(x, text("x0")), Map.of());
            prepare(shared, 2, holder, x, created, "by the holder");

            shared.send("tpc_begin", 3L, XaCalls.EMPTY, XaCalls.EMPTY, Map.of(), null, " ");
            shared.send("storea", x, created, text("by the waiter"), 3L);
            java.util.concurrent.CompletableFuture<Object> vote =
                    shared.callAsyncReply(XaWire.VOTE, 3L, XaWire.encode(waiter), 0L);
            // The vote is queued first, so it is waiting for x's lock by the time the commit is read.
            long started = System.nanoTime();
            XaCalls.Commit committed = commit(shared, holder);
            Duration commitTook = Duration.ofNanos(System.nanoTime() - started);

            assertThat(commitTook).as("the commit did not wait for the vote's lock wait (20 s)")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(committed.oids()).containsExactly(x);
            assertThat(vote).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(
                    java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(ConflictException.class);
            assertThat(recover(setup)).isEmpty();
            assertThat(text(setup.loadBefore(x, Tid.MAX).data())).isEqualTo("by the holder");
        }
    }

    @Test
    void errorCodes() throws Exception {
        WireXid committed = xid("codes", 1);
        WireXid rolledBack = xid("codes", 2);
        try (RunningServer server = start(); ZeoTestClient c = XaCalls.connect(server)) {
            Oid a = c.newOids(1).get(0);
            Oid b = c.newOids(1).get(0);
            prepare(c, 1, committed, a, Tid.ZERO, "a");
            assertThat(xaError(() -> prepare(c, 2, committed, b, Tid.ZERO, "b"))).as("prepared xid again")
                    .isEqualTo(XAException.XAER_DUPID);
            commit(c, committed);
            assertThat(xaError(() -> prepare(c, 3, committed, b, Tid.ZERO, "b"))).as("committed xid again")
                    .isEqualTo(XAException.XAER_DUPID);
            assertThat(xaError(() -> rollback(c, committed))).isEqualTo(XAException.XA_HEURCOM);

            prepare(c, 4, rolledBack, b, Tid.ZERO, "b");
            rollback(c, rolledBack);
            assertThat(xaError(() -> commit(c, rolledBack))).isEqualTo(XAException.XA_RBROLLBACK);

            WireXid unknown = xid("never", 9);
            assertThat(xaError(() -> commit(c, unknown))).isEqualTo(XAException.XAER_NOTA);
            assertThat(xaError(() -> rollback(c, unknown))).isEqualTo(XAException.XAER_NOTA);
            assertThat(xaError(() -> XaCalls.forget(c, unknown))).isEqualTo(XAException.XAER_NOTA);
            assertThat(xaError(() -> XaCalls.forget(c, committed))).isEqualTo(XAException.XAER_NOTA);

            // Undo is refused in a branch; the connection's transaction is dropped.
            c.send("tpc_begin", 5L, XaCalls.EMPTY, XaCalls.EMPTY, Map.of(), null, " ");
            c.send("undoa", new byte[8], 5L);
            assertThat(xaError(() -> c.call(XaWire.VOTE, 5L, XaWire.encode(xid("undo", 1)), 0L)))
                    .isEqualTo(XAException.XA_RBPROTO);
            assertThat(c.commit(6, Map.of(b, text("b1")), Map.of())).as("b was rolled back: still new").isNotNull();
            assertThat(recover(c)).isEmpty();
        }
    }

    @Test
    void transactionTimeoutDoesNotAbortAPreparedBranch() throws Exception {
        WireXid xid = xid("slow", 1);
        try (RunningServer server = TestServers.start(dir.resolve("Data.fs"),
                z -> z.withTransactionTimeout(Optional.of(Duration.ofMillis(500))));
             ZeoTestClient xa = XaCalls.connect(server)) {
            Oid x = xa.newOids(1).get(0);
            prepare(xa, 1, xid, x, Tid.ZERO, "slow");
            Thread.sleep(1500);
            assertThat(xa.call("ping")).isNull();
            assertThat(xa.isClosed()).as("the preparing connection is not closed by transaction-timeout").isFalse();
            assertThat(recover(xa)).containsExactly(xid);
            assertThat(commit(xa, xid).oids()).containsExactly(x);
        }
    }

    @Test
    void heuristicTimeoutRollsBackUntilForgotAndSurvivesRestart() throws Exception {
        WireXid expiring = xid("heuristic", 1);
        WireXid patient = xid("heuristic", 2);
        Path data = dir.resolve("Data.fs");
        try (RunningServer server = TestServers.start(data, z -> z.withLockWait(LOCK_WAIT)
                .withXaHeuristicTimeout(Optional.of(Duration.ofMillis(700))));
             ZeoTestClient xa = XaCalls.connect(server);
             ZeoTestClient other = XaCalls.connect(server)) {
            Oid x = xa.newOids(1).get(0);
            Oid y = xa.newOids(1).get(0);
            prepare(xa, 1, expiring, x, Tid.ZERO, "x by XA");
            // Its own timeout (3 s) is longer than the heuristic timeout: it wins.
            prepare(xa, 2, patient, Map.of(y, text("y by XA")), Map.of(), 3);
            awaitHeuristicRollback(other, 10, x, "x by other");
            assertThat(xaError(() -> commit(other, expiring))).isEqualTo(XAException.XA_HEURRB);
            assertThat(xaError(() -> rollback(other, expiring))).isEqualTo(XAException.XA_HEURRB);
            assertThat(recover(other)).containsExactlyInAnyOrder(expiring, patient);
            assertThat(commit(other, patient).oids()).containsExactly(y);
            assertThat(text(other.loadBefore(x, Tid.MAX).data())).isEqualTo("x by other");
        }
        try (RunningServer server = TestServers.start(data); ZeoTestClient c = XaCalls.connect(server)) {
            assertThat(recover(c)).containsExactly(expiring);
            assertThat(xaError(() -> commit(c, expiring))).isEqualTo(XAException.XA_HEURRB);
            XaCalls.forget(c, expiring);
            assertThat(recover(c)).isEmpty();
            assertThat(xaError(() -> XaCalls.forget(c, expiring))).isEqualTo(XAException.XAER_NOTA);
        }
        try (RunningServer server = TestServers.start(data); ZeoTestClient c = XaCalls.connect(server)) {
            assertThat(recover(c)).isEmpty();
        }
    }

    /**
     * xa-outcome-limit: past it the oldest completed outcomes are forgotten (a repeated commit then gets XAER_NOTA,
     * as for an unknown xid), the newer ones still answer a repeated commit truthfully, also after a restart;
     * a heuristic outcome is never forgotten for the limit (it waits for xa_forget) and takes its place in it.
     */
    @Test
    void theOldestOutcomesBeyondTheLimitLeaveMemoryAndARepeatedCommitIsFoundInTheStorage() throws Exception {
        Path data = dir.resolve("Data.fs");
        java.util.function.UnaryOperator<org.jzeo.server.config.ZeoConfig> limitOfThree =
                z -> z.withLockWait(LOCK_WAIT).withXaOutcomeLimit(3)
                        .withXaHeuristicTimeout(Optional.of(Duration.ofMillis(300)));
        List<XaCalls.Commit> commits = new java.util.ArrayList<>();
        WireXid heuristic = xid("limit-heuristic", 1);
        try (RunningServer server = TestServers.start(data, limitOfThree); ZeoTestClient c = XaCalls.connect(server);
             ZeoTestClient other = XaCalls.connect(server)) {
            Oid h = c.newOids(1).get(0);
            prepare(c, 1, heuristic, h, Tid.ZERO, "left to the heuristic timeout");
            awaitHeuristicRollback(other, 2, h, "h by other");
            assertThat(xaError(() -> commit(c, heuristic))).isEqualTo(XAException.XA_HEURRB);
            for (int i = 0; i < 3; i++) {
                Oid oid = c.newOids(1).get(0);
                prepare(c, 10 + i, xid("limit", i), oid, Tid.ZERO, "branch " + i);
                commits.add(commit(c, xid("limit", i)));
            }
            // A rollback of a commit still remembered is XA_HEURCOM; of a forgotten one, XAER_NOTA.
            assertThat(xaError(() -> rollback(c, xid("limit", 1)))).isEqualTo(XAException.XA_HEURCOM);
            assertThat(xaError(() -> rollback(c, xid("limit", 0)))).as("the oldest, no longer remembered")
                    .isEqualTo(XAException.XAER_NOTA);
            assertThat(commit(c, xid("limit", 0))).as("found in the storage").isEqualTo(commits.get(0));
            assertThat(commit(c, xid("limit", 1))).isEqualTo(commits.get(1));
            assertThat(commit(c, xid("limit", 2))).isEqualTo(commits.get(2));
            assertThat(recover(c)).as("the heuristic outcome stays").containsExactly(heuristic);
        }
        try (RunningServer server = TestServers.start(data, limitOfThree); ZeoTestClient c = XaCalls.connect(server)) {
            assertThat(xaError(() -> rollback(c, xid("limit", 0)))).isEqualTo(XAException.XAER_NOTA);
            for (int i = 0; i < 3; i++) {
                assertThat(commit(c, xid("limit", i))).isEqualTo(commits.get(i));
            }
            assertThat(recover(c)).containsExactly(heuristic);
        }
    }

    @Test
    void aCommitOlderThanTheRetentionIsNotLookedUpInTheStorage() throws Exception {
        Path data = dir.resolve("Data.fs");
        // Long enough for the commits and the first repeat to run within it on a slow machine.
        Duration retention = Duration.ofSeconds(2);
        java.util.function.UnaryOperator<org.jzeo.server.config.ZeoConfig> shortRetention =
                z -> z.withLockWait(LOCK_WAIT).withXaOutcomeLimit(1).withXaOutcomeRetention(retention);
        try (RunningServer server = TestServers.start(data, shortRetention); ZeoTestClient c = XaCalls.connect(server)) {
            List<XaCalls.Commit> commits = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Oid oid = c.newOids(1).get(0);
                prepare(c, 10 + i, xid("retention", i), oid, Tid.ZERO, "branch " + i);
                commits.add(commit(c, xid("retention", i)));
            }
            assertThat(commit(c, xid("retention", 0))).as("forgotten for the limit, within the retention")
                    .isEqualTo(commits.get(0));
            long committedAt = System.currentTimeMillis();
            XaCalls.await("the retention to pass", Duration.ofSeconds(10),
                    () -> System.currentTimeMillis() - committedAt > retention.toMillis() + 500);
            assertThat(xaError(() -> commit(c, xid("retention", 0)))).as("past the retention")
                    .isEqualTo(XAException.XAER_NOTA);
        }
    }

    /** Reads {@code client}'s callbacks up to and including the invalidation of {@code tid}. */
    private static void skipPastInvalidation(ZeoTestClient client, Tid tid) {
        while (true) {
            Callback c = client.nextCallback(Duration.ofSeconds(10));
            assertThat(c).as("the invalidation of " + tid).isNotNull();
            if (c.name().equals(Callback.INVALIDATE_TRANSACTION) && c.invalidatedTid().equals(tid)) {
                return;
            }
        }
    }

    /** Waits until {@code client} can commit {@code oid}: the heuristic rollback of its branch released the lock. */
    private static void awaitHeuristicRollback(ZeoTestClient client, long txn, Oid oid, String value)
            throws InterruptedException {
        XaCalls.await("the heuristic rollback to release the lock of " + oid, Duration.ofSeconds(10), () -> {
            try {
                client.commit(txn, Map.of(oid, text(value)), Map.of());
                return true;
            } catch (ConflictException e) {
                return false;
            }
        });
    }
}
