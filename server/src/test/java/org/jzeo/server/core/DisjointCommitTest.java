package org.jzeo.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.jzeo.server.core.WireCommits.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jzeo locks objects, not the storage (DESIGN "Commit (non-XA)"): a transaction that has voted on X does not hold
 * up a commit of Y, while a vote on X waits for it. Lock wait is 20 s, far longer than anything here, so a vote
 * that was held up by the storage-wide lock ZEO 5 uses would run into the clients' 10 s call timeout instead.
 */
class DisjointCommitTest {
    private static final Duration LOCK_WAIT = Duration.ofSeconds(20);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private RunningServer server;

    @BeforeEach
    void start() throws InterruptedException {
        // ConflictError at vote, as ZEO answers a stale store it cannot resolve (no client-side resolution here).
        server = TestServers.start(dir.resolve("Data.fs"),
                z -> z.withLockWait(LOCK_WAIT).withClientConflictResolution(false));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aCommitOfAnotherObjectFinishesWhileAVotedTransactionHoldsItsLocks() throws Exception {
        try (ZeoTestClient setup = WireCommits.connect(server);
             ZeoTestClient a = WireCommits.connect(server).withCallTimeout(CALL_TIMEOUT);
             ZeoTestClient b = WireCommits.connect(server).withCallTimeout(CALL_TIMEOUT);
             ZeoTestClient c = WireCommits.connect(server).withCallTimeout(CALL_TIMEOUT)) {
            List<Oid> oids = setup.newOids(2);
            Oid x = oids.get(0);
            Oid y = oids.get(1);
            Tid created = setup.commit(1, Map.of(x, text("x0"), y, text("y0")), Map.of());

            // A votes on X and stops there: it holds X's lock.
            WireCommits.begin(a, 10);
            WireCommits.store(a, 10, x, created, text("x by A"));
            assertThat(a.call("vote", 10L)).as("A's vote result (nothing resolved or undone)").isEqualTo(List.of());

            // C (read X at `created`, like A) votes on X: it must wait for A, not fail and not succeed.
            WireCommits.begin(c, 30);
            WireCommits.store(c, 30, x, created, text("x by C"));
            CompletableFuture<Object> cVote = c.callAsyncReply("vote", 30L);
            WireCommits.await("C's vote is inside the server's vote (server_status waiting = 1)", CALL_TIMEOUT,
                    () -> Long.valueOf(1).equals(WireCommits.serverStatus(setup).get("waiting")) || cVote.isDone());
            assertThat(cVote).as("C's vote on X while A holds X").isNotDone();

            // B commits Y from begin to finish while A's vote stands and C waits.
            long bStart = System.nanoTime();
            Tid bTid = b.commit(20, Map.of(y, text("y by B")), Map.of(y, created));
            long bMillis = (System.nanoTime() - bStart) / 1_000_000;
            assertThat(bMillis).as("B's whole commit of Y (ms) is not held up by A's lock on X")
                    .isLessThan(LOCK_WAIT.toMillis() / 4);
            assertThat(text(setup.loadBefore(y, Tid.MAX).data())).as("Y after B's finish").isEqualTo("y by B");
            assertThat(setup.loadBefore(x, Tid.MAX).start()).as("X is untouched until A finishes").isEqualTo(created);
            assertThat(cVote).as("C's vote on X after B's whole commit, while A still holds X").isNotDone();
            assertThat(WireCommits.serverStatus(setup).get("waiting")).as("C still waits inside vote")
                    .isEqualTo(1L);

            // A finishes; only now may C go on.
            Tid aTid = WireCommits.tid(a.call("tpc_finish", 10L), "A's tpc_finish");
            long aFinished = System.nanoTime();
            assertThat(aTid).as("tids are assigned at finish: A voted first but finished after B")
                    .isGreaterThan(bTid);

            // C read X at `created`; by the time it has the lock, X's committed serial is A's tid. Granting the
            // lock must not skip the serial check, so C gets the ConflictError ZEO gives a stale store, with both
            // serials (a lock-wait timeout would name no serials, and would take 20 s).
            Throwable failure = catchThrowable(() -> cVote.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            long cMillis = (System.nanoTime() - aFinished) / 1_000_000;
            assertThat(failure).as("C's vote after A's finish").isInstanceOf(ExecutionException.class);
            assertThat(failure.getCause()).as("C's vote fails with a conflict on X")
                    .isInstanceOfSatisfying(ConflictException.class, e -> {
                        assertThat(e.oid()).isEqualTo(x);
                        assertThat(e.committedSerial()).as("committed serial").isEqualTo(aTid);
                        assertThat(e.readSerial()).as("read serial").isEqualTo(created);
                    });
            assertThat(cMillis).as("C's vote answered soon after A's finish (ms), not at the lock-wait bound")
                    .isLessThan(LOCK_WAIT.toMillis() / 4);
            assertThat(c.call("tpc_abort", 30L)).isNull();

            // With the serial it reads now, C's retry commits.
            Tid fresh = c.loadBefore(x, Tid.MAX).start();
            assertThat(fresh).isEqualTo(aTid);
            Tid cTid = c.commit(31, Map.of(x, text("x by C")), Map.of(x, fresh));
            assertThat(cTid).isGreaterThan(aTid);
            assertThat(text(setup.loadBefore(x, Tid.MAX).data())).isEqualTo("x by C");

            for (ZeoTestClient client : List.of(setup, a, b, c)) {
                assertThat(client.anomalies()).isEmpty();
            }
        }
    }

    @Test
    void aWaitingVoteWithACurrentSerialCommitsWhenTheHolderAborts() throws Exception {
        try (ZeoTestClient setup = WireCommits.connect(server);
             ZeoTestClient a = WireCommits.connect(server).withCallTimeout(CALL_TIMEOUT);
             ZeoTestClient c = WireCommits.connect(server).withCallTimeout(CALL_TIMEOUT)) {
            Oid x = setup.newOids(1).get(0);
            Tid created = setup.commit(1, Map.of(x, text("x0")), Map.of());

            WireCommits.begin(a, 10);
            WireCommits.store(a, 10, x, created, text("x by A"));
            assertThat(a.call("vote", 10L)).isEqualTo(List.of());

            WireCommits.begin(c, 30);
            WireCommits.store(c, 30, x, created, text("x by C"));
            CompletableFuture<Object> cVote = c.callAsyncReply("vote", 30L);
            WireCommits.await("C's vote is inside the server's vote", CALL_TIMEOUT,
                    () -> Long.valueOf(1).equals(WireCommits.serverStatus(setup).get("waiting")) || cVote.isDone());
            assertThat(cVote).as("C's vote on X while A holds X").isNotDone();

            // A aborts: X's committed serial is still `created`, so C's store is current and its vote succeeds.
            assertThat(a.call("tpc_abort", 10L)).isNull();
            assertThat(cVote.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("C's vote after A's abort")
                    .isEqualTo(List.of());
            Tid cTid = WireCommits.tid(c.call("tpc_finish", 30L), "C's tpc_finish");
            assertThat(setup.loadBefore(x, Tid.MAX).start()).isEqualTo(cTid);
            assertThat(text(setup.loadBefore(x, Tid.MAX).data())).isEqualTo("x by C");
        }
    }

    /**
     * The other side of the bounded wait: a vote that cannot get its lock within lock-wait fails with a retryable
     * ConflictError naming the oid (no serials: nothing was compared), the connection stays usable and the
     * holder is not disturbed.
     */
    @Test
    void aVoteThatCannotGetItsLockWithinLockWaitGetsAConflictError() throws Exception {
        Duration shortWait = Duration.ofMillis(300);
        try (RunningServer quick = TestServers.start(dir.resolve("Quick.fs"), z -> z.withLockWait(shortWait));
             ZeoTestClient setup = WireCommits.connect(quick);
             ZeoTestClient a = WireCommits.connect(quick).withCallTimeout(CALL_TIMEOUT);
             ZeoTestClient c = WireCommits.connect(quick).withCallTimeout(CALL_TIMEOUT)) {
            Oid x = setup.newOids(1).get(0);
            Tid created = setup.commit(1, Map.of(x, text("x0")), Map.of());
            WireCommits.begin(a, 10);
            WireCommits.store(a, 10, x, created, text("x by A"));
            assertThat(a.call("vote", 10L)).isEqualTo(List.of());

            long start = System.nanoTime();
            Throwable failure = catchThrowable(() -> c.commit(30, Map.of(x, text("x by C")), Map.of(x, created)));
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(failure).as("C's commit while A holds X past the lock wait")
                    .isInstanceOfSatisfying(ConflictException.class, e -> {
                        assertThat(e.oid()).isEqualTo(x);
                        assertThat(e.isRetryable()).isTrue();
                    });
            assertThat(waited).as("ms C's vote waited before giving up").isGreaterThanOrEqualTo(shortWait.toMillis());
            assertThat(c.isClosed()).as("a lock-wait conflict leaves the connection open").isFalse();

            Tid aTid = WireCommits.tid(a.call("tpc_finish", 10L), "A's tpc_finish");
            assertThat(text(setup.loadBefore(x, Tid.MAX).data())).isEqualTo("x by A");
            Tid cTid = c.commit(31, Map.of(x, text("x by C")), Map.of(x, aTid));
            assertThat(cTid).isGreaterThan(aTid);
        }
    }
}
